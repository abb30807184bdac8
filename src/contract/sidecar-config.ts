import { isIP } from "node:net";
import { TpError } from "../errors.js";

/** The env var through which the CLI hands the sidecar its configuration (JSON). */
export const sidecarConfigEnv = "TP_SIDECAR_CONFIG";

/** A port of the pod whose connections arrive at localPort in the local namespace. */
export interface ExposeMapping {
  localPort: number;
  remotePort: number;
}

/** A local port of the user container that reaches a port on the host's loopback. */
export interface HostPortMapping {
  containerPort: number;
  hostPort: number;
}

/** What the sidecar does, as the CLI asks for it (`TP_SIDECAR_CONFIG`). */
export interface SidecarConfig {
  /** --expose: connections to the pod's remotePort (all interfaces) reach 127.0.0.1:localPort here. */
  expose: ExposeMapping[];
  /** Hosts, IPs or CIDRs always sent through the cluster, even inside a neverProxy CIDR. */
  alsoProxy: string[];
  /** IPv4 CIDRs (or IPs) whose TCP stays local. */
  neverProxy: string[];
  /** --to-pod: 127.0.0.1:PORT here reaches 127.0.0.1:PORT in the pod. */
  toPod: number[];
  /** --from-pod: 127.0.0.1:PORT in the pod reaches 127.0.0.1:PORT here. */
  fromPod: number[];
  /** --container-to-host: 127.0.0.1:containerPort here reaches the host's 127.0.0.1:hostPort. */
  containerToHost: HostPortMapping[];
  /** Local port of the redirected-TCP listener (default 15001). */
  redirectPort: number;
}

export const defaultRedirectPort = 15001;

/** Serialise a config for the sidecar's environment. */
export function sidecarConfigToEnv(config: Partial<SidecarConfig>): Record<string, string> {
  return { [sidecarConfigEnv]: JSON.stringify(validateSidecarConfig(config)) };
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

/** Check a config and fill in defaults; throws a TpError("config") naming the bad field. */
export function validateSidecarConfig(value: unknown): SidecarConfig {
  if (typeof value !== "object" || value === null || Array.isArray(value)) bad("", "must be an object");
  const v = value as Record<string, unknown>;
  const known = ["expose", "alsoProxy", "neverProxy", "toPod", "fromPod", "containerToHost", "redirectPort"];
  for (const key of Object.keys(v)) if (!known.includes(key)) bad(key, "is not a known field");
  const config: SidecarConfig = {
    expose: list(v, "expose", (item, path) => ({
      localPort: port(field(item, path, "localPort"), `${path}.localPort`),
      remotePort: port(field(item, path, "remotePort"), `${path}.remotePort`),
    })),
    alsoProxy: list(v, "alsoProxy", (item, path) => destination(item, path, true)),
    neverProxy: list(v, "neverProxy", (item, path) => destination(item, path, false)),
    toPod: list(v, "toPod", port),
    fromPod: list(v, "fromPod", port),
    containerToHost: list(v, "containerToHost", (item, path) => ({
      containerPort: port(field(item, path, "containerPort"), `${path}.containerPort`),
      hostPort: port(field(item, path, "hostPort"), `${path}.hostPort`),
    })),
    redirectPort:
      v["redirectPort"] === undefined ? defaultRedirectPort : port(v["redirectPort"], "redirectPort"),
  };
  const listeners = [...config.toPod, ...config.containerToHost.map((c) => c.containerPort)];
  const reserved = listeners.find((p) => p === 53 || p === config.redirectPort);
  if (reserved !== undefined) bad("toPod/containerToHost", `port ${reserved} is used by the sidecar itself`);
  const dup = listeners.find((p, i) => listeners.indexOf(p) !== i);
  if (dup !== undefined) bad("toPod/containerToHost", `local port ${dup} is listed twice`);
  return config;
}

/** An IPv4 address or CIDR, or (when names are allowed) a host name. */
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

function destination(item: unknown, path: string, namesAllowed: boolean): string {
  if (typeof item !== "string") bad(path, "must be a string");
  if (isCidr(item)) return item;
  if (namesAllowed && isHostName(item)) return item.toLowerCase();
  return bad(
    path,
    namesAllowed ? "must be a host name, an IPv4 address or a CIDR" : "must be an IPv4 address or CIDR",
  );
}

function port(item: unknown, path: string): number {
  if (typeof item !== "number" || !Number.isInteger(item) || item < 1 || item > 65535) {
    bad(path, "must be a port number (1-65535)");
  }
  return item;
}

function field(item: unknown, path: string, key: string): unknown {
  if (typeof item !== "object" || item === null) bad(path, "must be an object");
  return (item as Record<string, unknown>)[key];
}

function list<T>(v: Record<string, unknown>, key: string, each: (item: unknown, path: string) => T): T[] {
  const raw = v[key];
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) bad(key, "must be an array");
  return raw.map((item, i) => each(item, `${key}[${i}]`));
}

function bad(path: string, message: string): never {
  throw new TpError("config", `sidecar config: ${path ? `${path} ` : ""}${message}`);
}
