import type { ChildProcess } from "node:child_process";
import { startAttached } from "./attached-start.js";
import { envFlags, labelFlags } from "./cli-env.js";
import type { DockerRunArgs } from "./docker-run-args.js";
import type { LocalEngine } from "./local-engine.js";
import { dockerSessionLabels } from "../contract/docker-labels.js";

export interface UserContainerOptions {
  sessionId: string;
  /** The sidecar whose network namespace the container joins. */
  sidecar: string;
  /** The pod's environment and TELEPRESENCE_*; the user's -e/--env-file come after and win. */
  env: Record<string, string>;
  /** Extra bind mounts (volumes of the pod). */
  mounts: string[];
  run: DockerRunArgs;
  labels: Record<string, string>;
  /** Made to be started held (see HeldStart): its entrypoint, arguments and mounts instead. */
  hold?: { entrypoint: string; args: string[]; mounts: string[] };
}

/**
 * The `docker run` command line of the user container and the environment of that docker CLI.
 * The pod's variables are passed as `-e NAME` with the value in the CLI's environment, so
 * multi-line values survive; the user's -e and --env-file entries follow and win.
 */
export function userContainerCommand(
  options: UserContainerOptions,
  /** `create`: the same container, made but not started (see createUserContainer). */
  verb: "run" | "create" = "run",
): {
  argv: string[];
  env: NodeJS.ProcessEnv;
  name: string;
} {
  const { run } = options;
  const name = userContainerName(options);
  const argv = [verb, "--rm", "--name", name, "--network", `container:${options.sidecar}`];
  const { argv: envArgv, env } = envFlags(options.env);
  argv.push(...envArgv);
  for (const e of run.env) argv.push("-e", e);
  argv.push(...labelFlags({ ...dockerSessionLabels(options.sessionId, "user"), ...options.labels }));
  for (const l of run.labels) argv.push("--label", l);
  for (const m of [...options.mounts, ...run.volumes, ...(options.hold?.mounts ?? [])]) argv.push("-v", m);
  if (run.workdir) argv.push("-w", run.workdir);
  if (run.user) argv.push("-u", run.user);
  const entrypoint = options.hold?.entrypoint ?? run.entrypoint;
  if (entrypoint !== undefined) argv.push("--entrypoint", entrypoint);
  if (run.interactive) argv.push("-i");
  if (run.tty) argv.push("-t");
  if (run.init) argv.push("--init");
  argv.push(...(run.passthrough ?? []));
  argv.push(run.image, ...(options.hold?.args ?? run.args));
  return { argv, env, name };
}

/** The user container's name: the user's --name, else one of the session. */
export function userContainerName(options: Pick<UserContainerOptions, "sessionId" | "run">): string {
  return options.run.name ?? `tp-${options.sessionId}`;
}

export interface RunningUserContainer {
  name: string;
  /** Pass a signal on to the container, as `docker run`'s signal proxy does. */
  kill(signal: NodeJS.Signals): void;
  /** Stop following the container (its output, its end), leaving it as it is. */
  detach(): void;
  /** The container's exit code (docker run's). */
  exited: Promise<number>;
}

/**
 * Run the user container in the foreground, stdio passed through (TTY, signals, exit code): with a
 * TTY or stdin by `docker run`, else made by `docker create` and started through the API (see
 * startUserContainer). A container that cannot be made ends with 125, as `docker run` does.
 */
export function runUserContainer(
  engine: LocalEngine,
  options: UserContainerOptions,
  report: (message: string) => void,
): RunningUserContainer {
  const { run } = options;
  if (run.tty || run.interactive) {
    const { argv, env, name } = userContainerCommand(options);
    return foreground(engine.start(argv, env), name);
  }
  let started: RunningUserContainer | undefined;
  const exited = createUserContainer(engine, options).then(
    (name) => (started = startUserContainer(engine, name, run, report)).exited,
    (err: Error) => (report(err.message), 125),
  );
  return {
    name: userContainerName(options),
    kill: (signal) => started?.kill(signal),
    detach: () => started?.detach(),
    exited,
  };
}

/**
 * Make the user container with `docker create` and the same flags as `docker run` (so that they
 * mean exactly what they mean there), without starting it: its start is then the only step left
 * once the session is up (startUserContainer). Rejects with the CLI's message when it fails.
 */
export async function createUserContainer(
  engine: LocalEngine,
  options: UserContainerOptions,
): Promise<string> {
  const { argv, env, name } = userContainerCommand(options, "create");
  const r = await engine.run(argv, env);
  if (r.exitCode !== 0) throw new Error(r.stderr.trim() || `docker create exited with ${r.exitCode}`);
  return name;
}

/**
 * Start a container made by createUserContainer in the foreground, passing stdio, forwarding
 * signals and ending with the container's code, as `docker run` does. Without a TTY or stdin,
 * through the engine's API (startAttached): no docker CLI stays beside tp for the whole session.
 * With either, `docker start --attach` (with --interactive for -i), whose terminal handling the
 * API alone does not give.
 */
export function startUserContainer(
  engine: LocalEngine,
  name: string,
  run: DockerRunArgs,
  report: (message: string) => void,
): RunningUserContainer {
  if (!run.tty && !run.interactive) return { name, ...startAttached(engine.api, name, report) };
  const argv = ["start", "--attach", ...(run.interactive ? ["--interactive"] : []), name];
  return foreground(engine.start(argv, { ...process.env }), name);
}

function foreground(child: ChildProcess, name: string): RunningUserContainer {
  const exited = new Promise<number>((resolve) => {
    child.on("error", () => resolve(255));
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 128 + (signalNumbers[signal] ?? 1) : 255)));
  });
  return { name, kill: (signal) => child.kill(signal), detach: () => child.kill("SIGKILL"), exited };
}

const signalNumbers: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGKILL: 9,
  SIGPIPE: 13,
  SIGTERM: 15,
};
