import { isIP } from "node:net";
import * as z from "zod/mini";
import { TpError } from "../errors.js";
import { parseMessage, versionField, versioned } from "./message.js";
import { defaultUdpIdleMs } from "./udp-protocol.js";

/**
 * The env var through which the CLI hands the sidecar its configuration (JSON). The sidecar
 * refuses a `v` other than {@link sidecarConfigVersion}; a config without `v` is version 1.
 */
export const sidecarConfigEnv = "TP_SIDECAR_CONFIG";
export const sidecarConfigVersion = 1;

export const defaultRedirectPort = 15001;

/** An IPv4 address or CIDR. */
export function isCidr(text: string): boolean {
  const [ip, bits, ...rest] = text.split("/");
  if (rest.length > 0 || !ip || isIP(ip) !== 4) return false;
  return bits === undefined || (/^\d{1,2}$/.test(bits) && Number(bits) <= 32);
}

export function isHostName(text: string): boolean {
  return /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?)*\.?$/i.test(
    text,
  );
}

const notAPort = "must be a port number (1-65535)";
const port = z.int({ error: notAPort }).check(z.minimum(1, notAPort), z.maximum(65535, notAPort));
const list = <T extends z.ZodMiniType>(item: T) => z._default(z.array(item, "must be an array"), () => []);
const text = z.string("must be a string");

/** A port of the pod whose connections (or UDP datagrams) arrive at localPort in the local namespace. */
const exposeMapping = z.object(
  {
    localPort: port,
    remotePort: port,
    /** Default tcp. */
    protocol: z.optional(z.enum(["tcp", "udp"], 'must be "tcp" or "udp"')),
  },
  "must be an object",
);
const notMilliseconds = "must be milliseconds (100 to 86400000)";
/** A local port of the user container that reaches a port on the host's loopback. */
const hostPortMapping = z.object({ containerPort: port, hostPort: port }, "must be an object");

/** What the sidecar does, as the CLI asks for it (`TP_SIDECAR_CONFIG`). */
const sidecarConfig = versioned(
  z
    .strictObject(
      {
        v: versionField(sidecarConfigVersion),
        /** --expose: connections to the pod's remotePort (all interfaces) reach 127.0.0.1:localPort here. */
        expose: list(exposeMapping),
        /** Hosts, IPs or CIDRs always sent through the cluster, even inside a neverProxy CIDR. */
        alsoProxy: list(
          z.pipe(
            text.check(
              z.refine((t) => isCidr(t) || isHostName(t), "must be a host name, an IPv4 address or a CIDR"),
            ),
            z.transform((t: string) => (isCidr(t) ? t : t.toLowerCase())),
          ),
        ),
        /** IPv4 CIDRs (or IPs) whose TCP stays local. */
        neverProxy: list(text.check(z.refine(isCidr, "must be an IPv4 address or CIDR"))),
        /** The pod's hostAliases, which `tp run`'s resolving gives before DNS, as /etc/hosts does in the pod. */
        hosts: list(z.object({ name: text, ip: text }, "must be an object")),
        /** --to-pod: 127.0.0.1:PORT here reaches 127.0.0.1:PORT in the pod. */
        toPod: list(port),
        /** --from-pod: 127.0.0.1:PORT in the pod reaches 127.0.0.1:PORT here. */
        fromPod: list(port),
        /** --container-to-host: 127.0.0.1:containerPort here reaches the host's 127.0.0.1:hostPort. */
        containerToHost: list(hostPortMapping),
        /** Local port of the redirected-TCP listener (default 15001). */
        redirectPort: z._default(port, defaultRedirectPort),
        /** Local port of tp-udp, where TPROXY diverts UDP (UDP ports are apart from TCP's). */
        udpPort: z._default(port, defaultRedirectPort),
        /** A UDP flow without a datagram for this long ends (default 30 s, as conntrack's). */
        udpIdleMs: z._default(
          z
            .int({ error: notMilliseconds })
            .check(z.minimum(100, notMilliseconds), z.maximum(86_400_000, notMilliseconds)),
          defaultUdpIdleMs,
        ),
      },
      "must be an object",
    )
    .check(
      z.superRefine((config, ctx) => {
        const listeners = [...config.toPod, ...config.containerToHost.map((c) => c.containerPort)];
        const reserved = listeners.find((p) => p === 53 || p === config.redirectPort);
        const dup = listeners.find((p, i) => listeners.indexOf(p) !== i);
        const problem =
          reserved !== undefined
            ? `port ${reserved} is used by the sidecar itself`
            : dup !== undefined
              ? `local port ${dup} is listed twice`
              : undefined;
        if (problem)
          ctx.addIssue({ code: "custom", path: ["toPod/containerToHost"], message: problem, input: config });
      }),
    ),
);

export type SidecarConfig = z.output<typeof sidecarConfig>;
export type ExposeMapping = z.output<typeof exposeMapping>;
export type HostPortMapping = z.output<typeof hostPortMapping>;

/** Check a config and fill in defaults; throws a TpError("config") naming the bad field. */
export function validateSidecarConfig(value: unknown): SidecarConfig {
  return parseMessage(sidecarConfig, value, "sidecar config");
}

/** Serialise a config for the sidecar's environment. */
export function sidecarConfigToEnv(config: Partial<SidecarConfig>): Record<string, string> {
  return {
    [sidecarConfigEnv]: JSON.stringify({ v: sidecarConfigVersion, ...validateSidecarConfig(config) }),
  };
}

/** Parse `TP_SIDECAR_CONFIG` (absent or empty means all defaults). */
export function parseSidecarConfig(json: string | undefined): SidecarConfig {
  if (json === undefined || json.trim() === "") return validateSidecarConfig({});
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw new TpError("config", `${sidecarConfigEnv} is not valid JSON`, { cause: err });
  }
  return validateSidecarConfig(value);
}
