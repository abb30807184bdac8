import * as z from "zod/mini";
import { parseJsonMessage, versionField, versioned } from "./message.js";
import { TpError } from "../errors.js";

/**
 * The env var that hands an intercept's router pod (tp-agent role `router`) its configuration
 * (JSON). The router refuses a `v` other than {@link routerConfigVersion}; a config without `v`
 * is read as the current version (the router runs the image of the tp that wrote it).
 */
export const routerConfigEnv = "TP_ROUTER_CONFIG";
export const routerConfigVersion = 1;

/** The port on which the router takes sessions' registrations (newline-delimited JSON). */
export const defaultRouterControlPort = 7471;

const notAPort = "must be a port number (1-65535)";
const port = z.int({ error: notAPort }).check(z.minimum(1, notAPort), z.maximum(65535, notAPort));
const name = z.string("must be a string").check(z.minLength(1));

/** One port of the intercepted Service, as the router serves it. */
const routerPort = z.strictObject(
  {
    /** Where the router listens: the Service port's resolved targetPort (same as the workload's). */
    port,
    /** The workload container's port name, when the Service names its targetPort. */
    name: z.optional(name),
    /** Where traffic that no session takes goes: the shadow Service (original selector) and its port. */
    upstream: z.strictObject({ host: name, port }, "must be an object"),
    /**
     * "auto": the first bytes say whether a connection is HTTP/1.x, h2c or something else (a
     * client that sends nothing for a moment is not HTTP); "raw": never HTTP, never looked at.
     */
    http: z._default(z.enum(["auto", "raw"], 'must be "auto" or "raw"'), "auto"),
  },
  "must be an object",
);

const routerConfig = versioned(
  z
    .strictObject(
      {
        v: versionField(routerConfigVersion),
        /** The intercepted Service (for the router's logs). */
        service: name,
        namespace: name,
        controlPort: z._default(port, defaultRouterControlPort),
        ports: z.array(routerPort).check(z.minLength(1, "must list at least one port")),
      },
      "must be an object",
    )
    .check(
      z.superRefine((config, ctx) => {
        const ports = config.ports.map((p) => p.port);
        const dup = ports.find((p, i) => ports.indexOf(p) !== i);
        const problem = ports.includes(config.controlPort)
          ? `port ${config.controlPort} is the control port`
          : dup !== undefined
            ? `port ${dup} is listed twice`
            : undefined;
        if (problem) ctx.addIssue({ code: "custom", path: ["ports"], message: problem, input: config });
      }),
    ),
);

export type RouterConfig = z.output<typeof routerConfig>;
export type RouterPort = z.output<typeof routerPort>;
/** What a writer gives: defaults (`controlPort`, `http`) may be left out. */
export type RouterConfigInput = Omit<z.input<typeof routerConfig>, "v">;

/** The config as the router pod's environment carries it (checked first). */
export function routerConfigToEnv(config: RouterConfigInput): { name: string; value: string } {
  const checked = parseJsonMessage(routerConfig, JSON.stringify(config), "router config");
  return { name: routerConfigEnv, value: JSON.stringify({ v: routerConfigVersion, ...checked }) };
}

/** Read the config from the router's environment; throws a TpError("config") naming what is wrong. */
export function parseRouterConfig(text: string | undefined): RouterConfig {
  if (!text) throw new TpError("config", `${routerConfigEnv} is not set`);
  return parseJsonMessage(routerConfig, text, routerConfigEnv);
}
