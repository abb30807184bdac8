import { envFlags, labelFlags } from "../docker/cli-env.js";
import type { DockerRunArgs } from "../docker/docker-run-args.js";
import { userContainerCommand } from "../docker/user-container.js";
import type { Healthcheck, ProjectService } from "./model.js";

export interface DockerCommand {
  argv: string[];
  /** The docker CLI's environment: values of `-e NAME` flags travel here (multi-line ones too). */
  env: NodeJS.ProcessEnv;
  name: string;
}

export function healthFlags(h: Healthcheck | undefined): string[] {
  if (!h) return [];
  if (h.disable) return ["--no-healthcheck"];
  const flags: string[] = [];
  if (h.command !== undefined) flags.push("--health-cmd", h.command);
  if (h.interval) flags.push("--health-interval", h.interval);
  if (h.timeout) flags.push("--health-timeout", h.timeout);
  if (h.retries !== undefined) flags.push("--health-retries", String(h.retries));
  if (h.startPeriod) flags.push("--health-start-period", h.startPeriod);
  if (h.startInterval) flags.push("--health-start-interval", h.startInterval);
  return flags;
}

/** Compose's entrypoint list: docker run takes one word, the rest go before the command. */
function entrypointAndArgs(s: ProjectService): { entrypoint?: string; args: string[] } {
  const [first, ...rest] = s.entrypoint ?? [];
  if (s.entrypoint === undefined) return { args: s.command ?? [] };
  return { entrypoint: first ?? "", args: [...rest, ...(s.command ?? [])] };
}

/** `docker run -d` of a plain service: on the project network, its service name as alias, a fixed address. */
export function plainServiceCommand(
  s: ProjectService,
  options: { name: string; network: string; ip: string; labels: Record<string, string> },
): DockerCommand {
  const argv = ["run", "-d", "--name", options.name, "--network", options.network, "--ip", options.ip];
  argv.push("--network-alias", s.name, "--hostname", s.name.toLowerCase());
  const { argv: envArgv, env } = envFlags(s.environment);
  argv.push(...envArgv, ...labelFlags(options.labels));
  for (const v of s.volumes) argv.push("-v", v);
  for (const p of s.ports) argv.push("-p", p);
  if (s.workingDir) argv.push("-w", s.workingDir);
  if (s.user) argv.push("-u", s.user);
  argv.push(...healthFlags(s.healthcheck));
  const { entrypoint, args } = entrypointAndArgs(s);
  if (entrypoint !== undefined) argv.push("--entrypoint", entrypoint);
  argv.push(s.image, ...args);
  return { argv, env, name: options.name };
}

/**
 * `docker run -d` of a tp service's container in its sidecar's network namespace: the pod's
 * environment first, the service's `environment` wins; ports are published on the sidecar.
 */
export function tpServiceCommand(
  s: ProjectService,
  options: {
    name: string;
    sessionId: string;
    sidecar: string;
    podEnv: Record<string, string>;
    /** Bind mounts of the pod's volumes. */
    mounts: string[];
    labels: Record<string, string>;
  },
): DockerCommand {
  const { entrypoint, args } = entrypointAndArgs(s);
  const run: DockerRunArgs = {
    image: s.image,
    args,
    env: [],
    volumes: s.volumes,
    labels: [],
    publish: [],
    name: options.name,
    interactive: false,
    tty: false,
    init: false,
    ...(s.workingDir ? { workdir: s.workingDir } : {}),
    ...(s.user ? { user: s.user } : {}),
    ...(entrypoint !== undefined ? { entrypoint } : {}),
  };
  const env = { ...options.podEnv, ...s.environment };
  const cmd = userContainerCommand({
    sessionId: options.sessionId,
    sidecar: options.sidecar,
    env,
    mounts: options.mounts,
    run,
    labels: options.labels,
  });
  // Detached and kept after it exits (tp ps shows its exit code); tp removes it.
  const [verb, rm, ...rest] = cmd.argv;
  const argv = [
    verb as string,
    "-d",
    ...healthFlags(s.healthcheck),
    ...(rm === "--rm" ? [] : [rm as string]),
    ...rest,
  ];
  return { argv, env: cmd.env, name: cmd.name };
}
