import { parsePublish } from "../docker/published-ports.js";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, resolve } from "node:path";
import type { Healthcheck } from "./model.js";
import type { ServiceData } from "./schema.js";
import { parseEnvFile } from "./env-file.js";
import { shellQuote, shellWords } from "./shell-words.js";

/** Reports a problem with a field of the service being read; never returns. */
export type Fail = (path: (string | number)[], message: string, key?: string) => never;

type Env = Record<string, string | undefined>;

export function hostPath(path: string, dir: string): string {
  if (path === "~" || path.startsWith("~/")) return resolve(homedir(), path.slice(2));
  return isAbsolute(path) ? path : resolve(dir, path);
}

/** command / entrypoint: a list as is, a string split as a shell would. */
export function words(value: string | string[] | undefined, field: string, fail: Fail): string[] | undefined {
  if (value === undefined || Array.isArray(value)) return value;
  try {
    return shellWords(value);
  } catch (err) {
    return fail([field], (err as Error).message);
  }
}

/** NAME: value map or NAME=value list; a name without a value is taken from tp's environment. */
export function keyValues(
  value: Record<string, string | number | boolean | null> | string[] | undefined,
  env: Env,
): Record<string, string> {
  const out: Record<string, string> = {};
  if (value === undefined) return out;
  const entries: [string, string | undefined][] = Array.isArray(value)
    ? value.map((e) => {
        const eq = e.indexOf("=");
        return eq < 0 ? [e, env[e]] : [e.slice(0, eq), e.slice(eq + 1)];
      })
    : Object.entries(value).map(([k, v]) => [k, v === null ? env[k] : String(v)]);
  for (const [k, v] of entries) if (v !== undefined) out[k] = v;
  return out;
}

/** env_file entries, then environment: the later wins. */
export function environmentOf(
  service: ServiceData,
  dir: string,
  env: Env,
  fail: Fail,
): Record<string, string> {
  const files =
    service.env_file === undefined
      ? []
      : Array.isArray(service.env_file)
        ? service.env_file
        : [service.env_file];
  let out: Record<string, string> = {};
  files.forEach((f, i) => {
    const { path, required } = typeof f === "string" ? { path: f, required: true } : { required: true, ...f };
    const file = hostPath(path, dir);
    if (!existsSync(file)) {
      if (required === false) return;
      fail(
        Array.isArray(service.env_file) ? ["env_file", i] : ["env_file"],
        `env file ${file} does not exist`,
      );
    }
    out = { ...out, ...parseEnvFile(readFileSync(file, "utf8"), env) };
  });
  return { ...out, ...keyValues(service.environment, env) };
}

/** ports: docker run -p values (the sidecar publishes those of tp services). */
export function portsOf(service: ServiceData, fail: Fail): string[] {
  return (service.ports ?? []).map((p, i) => {
    let text = String(p);
    if (typeof p === "object") {
      const host = p.host_ip ? `${p.host_ip}:` : "";
      const published = p.published !== undefined ? `${p.published}:` : p.host_ip ? ":" : "";
      text = `${host}${published}${p.target}${p.protocol ? `/${p.protocol}` : ""}`;
    }
    try {
      parsePublish(text);
    } catch (err) {
      fail(["ports", i], (err as Error).message.replace(/^-p /, ""));
    }
    return text;
  });
}

/** volumes: docker run -v values with absolute host paths; named volumes are not supported. */
export function volumesOf(service: ServiceData, dir: string, fail: Fail): string[] {
  return (service.volumes ?? []).map((v, i) => {
    if (typeof v === "object") return `${hostPath(v.source, dir)}:${v.target}${v.read_only ? ":ro" : ""}`;
    const parts = v.split(":");
    if (parts.length === 1) return v; // an anonymous volume at that path
    const [source, target, mode, ...rest] = parts as [string, string, string | undefined];
    if (rest.length || !target) fail(["volumes", i], `"${v}" is not HOST_PATH:CONTAINER_PATH[:MODE]`);
    if (!/^[./~]/.test(source))
      fail(["volumes", i], `named volume "${source}" is not supported by tp`, undefined);
    if (!target.startsWith("/")) fail(["volumes", i], `container path "${target}" must be absolute`);
    return `${hostPath(source, dir)}:${target}${mode ? `:${mode}` : ""}`;
  });
}

export function healthcheckOf(service: ServiceData, fail: Fail): Healthcheck | undefined {
  const h = service.healthcheck;
  if (!h) return undefined;
  let command: string | undefined;
  let disable = h.disable ?? false;
  if (typeof h.test === "string") command = h.test;
  else if (h.test) {
    const [kind, ...rest] = h.test;
    if (kind === "NONE") disable = true;
    else if (kind === "CMD") command = shellQuote(rest);
    else if (kind === "CMD-SHELL" && rest.length === 1) command = rest[0];
    else fail(["healthcheck", "test"], 'must be a string, ["CMD", ...], ["CMD-SHELL", "..."] or ["NONE"]');
  }
  return {
    disable,
    ...(command !== undefined ? { command } : {}),
    ...(h.interval ? { interval: h.interval } : {}),
    ...(h.timeout ? { timeout: h.timeout } : {}),
    ...(h.retries !== undefined ? { retries: h.retries } : {}),
    ...(h.start_period ? { startPeriod: h.start_period } : {}),
    ...(h.start_interval ? { startInterval: h.start_interval } : {}),
  };
}
