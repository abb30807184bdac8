import { preloadEnv } from "../contract/host-proxy.js";

export interface HostEnvOptions {
  /** The session's proxy on the host's loopback. */
  proxyPort: number;
  /** The preload library, copied out of the agent image. */
  preload: string;
  /** The session folder of the pod's volumes (TELEPRESENCE_ROOT on the host). */
  volumesFolder?: string;
  neverProxy: string[];
  alsoProxy: string[];
  /** The program's parent (tp) and the signal the program gets if it dies first. */
  parent?: { pid: number; signal: number };
}

/** The pod's environment and TELEPRESENCE_* as a host process sees them (--env-file writes this). */
export function podEnvOnHost(
  session: Record<string, string>,
  volumesFolder?: string,
): Record<string, string> {
  const env: Record<string, string> = { ...session, TELEPRESENCE_METHOD: "inject-tcp" };
  delete env["TELEPRESENCE_ROOT"];
  return volumesFolder ? { ...env, TELEPRESENCE_ROOT: volumesFolder } : env;
}

/**
 * The environment of a host process of a session: the host's, then the pod's (HOME, PATH and
 * HOSTNAME stay the host's), TELEPRESENCE_ROOT at the session folder, the preload library and its
 * settings, and the proxy variables in the spellings curl, Go, Node libraries and Python read.
 */
export function hostProcessEnv(
  host: NodeJS.ProcessEnv,
  session: Record<string, string>,
  options: HostEnvOptions,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(host)) if (v !== undefined && k !== "TELEPRESENCE_ROOT") env[k] = v;
  Object.assign(env, podEnvOnHost(session, options.volumesFolder));
  const proxy = `127.0.0.1:${options.proxyPort}`;
  env["LD_PRELOAD"] = [options.preload, host["LD_PRELOAD"]].filter(Boolean).join(" ");
  env[preloadEnv.proxy] = proxy;
  env[preloadEnv.neverProxy] = options.neverProxy.join(",");
  const literal = options.alsoProxy.filter((a) => /^\d+\.\d+\.\d+\.\d+(\/\d+)?$/.test(a));
  env[preloadEnv.alsoProxy] = literal.join(",");
  if (options.parent) env[preloadEnv.parent] = `${options.parent.pid}:${options.parent.signal}`;
  else delete env[preloadEnv.parent];
  const noProxy = ["localhost", "127.0.0.1", "::1", ...options.neverProxy].join(",");
  const vars: Record<string, string> = {
    http_proxy: `http://${proxy}`,
    https_proxy: `http://${proxy}`,
    all_proxy: `socks5h://${proxy}`,
    no_proxy: noProxy,
  };
  for (const [k, v] of Object.entries(vars)) {
    env[k] = v;
    env[k.toUpperCase()] = v;
  }
  return env;
}
