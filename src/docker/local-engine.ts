import type Dockerode from "dockerode";
import { execa } from "execa";
import { spawn, type ChildProcess } from "node:child_process";
import { Writable } from "node:stream";
import { waitFor } from "../wait.js";
import { dockerError } from "./docker-error.js";

/** What a command run in a container printed, and how it ended. */
export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * tp's one way to talk to the local Docker engine.
 *
 * Everything the engine API does goes through it (dockerode, in `api` and the methods below): it
 * needs no docker binary, answers with structured errors (a 404 is "absent", not a message to
 * parse) and streams without a child process. The docker CLI is used only where tp must behave
 * as the CLI does, which the API alone does not give:
 * - `docker run` of a user's or a service's container (`run`, `start`): the user's own flags
 *   (-v, -p, --health-*, --env-file …) with exactly the meaning `docker run` gives them, and for
 *   a foreground container with a TTY or stdin the CLI's terminal handling (one without either
 *   is followed through the API: see attached-start.ts);
 * - `docker build` (`build`): the user's configured builder (BuildKit, buildx, contexts,
 *   .dockerignore) and its progress output.
 */
export interface LocalEngine {
  /** The engine API, for everything not named here. */
  readonly api: Dockerode;
  /** API: whether an image exists locally (tp never pulls). */
  imageExists(image: string): Promise<boolean>;
  /** API: run a command in a running container and collect its output (no stdin, no TTY). */
  exec(container: string, cmd: string[]): Promise<ExecResult>;
  /**
   * API: force-remove a container (and its anonymous volumes) that carries all of `owned`'s labels
   * (tp's, say: a name alone may be a container of the user's); false if there was none such.
   */
  removeContainer(name: string, owned: Record<string, string>): Promise<boolean>;
  /**
   * CLI: `docker <argv>` that returns (such as `docker run -d`), no stdin, its output captured;
   * `env` is the whole environment of the CLI (values of `-e NAME` flags travel there).
   */
  run(argv: string[], env: NodeJS.ProcessEnv): Promise<{ exitCode: number; stderr: string }>;
  /** CLI: `docker <argv>` in the foreground, stdio passed through (a TTY, signals, exit code). */
  start(argv: string[], env: NodeJS.ProcessEnv): ChildProcess;
  /** CLI: `docker build <argv>`, its output passed through to stderr; returns the exit code. */
  build(argv: string[]): Promise<number>;
}

/** The local engine behind a dockerode client (DOCKER_HOST or the local socket) and the docker CLI. */
export function localEngine(api: Dockerode, cli = "docker"): LocalEngine {
  return {
    api,
    imageExists: (image) => imageExists(api, image),
    exec: (container, cmd) => execIn(api, container, cmd),
    removeContainer: async (name, owned) => {
      const container = api.getContainer(name);
      const labels = await container.inspect().then(
        (c) => c.Config.Labels ?? {},
        () => undefined,
      );
      if (!labels || Object.entries(owned).some(([k, v]) => labels[k] !== v)) return false;
      return forceRemove(container, name);
    },
    run: async (argv, env) => {
      const r = await execa(cli, argv, { env, extendEnv: false, reject: false, stdin: "ignore" });
      return { exitCode: r.exitCode ?? 255, stderr: String(r.stderr) };
    },
    start: (argv, env) => spawn(cli, argv, { stdio: "inherit", env }),
    build: async (argv) => {
      const r = await execa(cli, ["build", ...argv], {
        reject: false,
        stdout: process.stderr,
        stderr: process.stderr,
        stdin: "ignore",
      });
      return r.exitCode ?? 255;
    },
  };
}

export async function imageExists(api: Dockerode, image: string): Promise<boolean> {
  try {
    await api.getImage(image).inspect();
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw dockerError(`inspect image ${image}`, err);
  }
}

/**
 * Force-remove a container and its anonymous volumes (as `docker run --rm` would); false if it
 * did not exist. `name` is how errors call it.
 */
export async function forceRemove(container: Dockerode.Container, name = container.id): Promise<boolean> {
  try {
    await container.remove({ force: true, v: true });
    return true;
  } catch (err) {
    const { statusCode, message } = err as { statusCode?: number; message?: string };
    if (statusCode === 404) return false;
    // Another remover has it (a second tp cleanup, say): done once it is gone.
    if (statusCode === 409 && /already in progress/.test(message ?? "")) {
      await container.wait({ condition: "removed" }).catch(() => undefined);
      return false;
    }
    throw dockerError(`remove container ${name}`, err);
  }
}

async function execIn(api: Dockerode, container: string, cmd: string[]): Promise<ExecResult> {
  const exec = await api.getContainer(container).exec({
    Cmd: cmd,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
  });
  const stream = await exec.start({ Detach: false, Tty: false });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  api.modem.demuxStream(stream, collect(out), collect(err));
  await new Promise<void>((resolve, reject) => {
    stream.on("end", resolve);
    stream.on("close", resolve);
    stream.on("error", reject);
  });
  // The output can end a moment before the engine records the exit code.
  const exitCode = await waitFor(
    `${cmd[0] ?? "exec"} in ${container} to finish`,
    async () => {
      const info = await exec.inspect();
      return info.Running ? undefined : (info.ExitCode ?? 255);
    },
    { timeoutMs: 10_000, intervalMs: 20 },
  );
  return {
    exitCode,
    stdout: Buffer.concat(out).toString("utf8"),
    stderr: Buffer.concat(err).toString("utf8"),
  };
}

function collect(into: Buffer[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      into.push(chunk);
      callback();
    },
  });
}

/** docker stop: SIGTERM, SIGKILL after `graceSeconds`; a container that is gone or stopped is no error. */
export async function stopWithin(api: Dockerode, name: string, graceSeconds: number): Promise<void> {
  await api
    .getContainer(name)
    .stop({ t: graceSeconds })
    .catch(() => undefined);
}
