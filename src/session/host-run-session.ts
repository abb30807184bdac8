import type Dockerode from "dockerode";
import { spawn } from "node:child_process";
import { mkdir, rm } from "node:fs/promises";
import { constants } from "node:os";
import { hostProxyPort, preloadPathInImage } from "../contract/host-proxy.js";
import { copyFileOut, publishedPort } from "../docker/preload-copy.js";
import type { Kube } from "../kube/kube.js";
import { checkMountFolder } from "../volumes/folder-check.js";
import { writeEnvOutputs } from "./env-output.js";
import { commandNotFound, findExecutable } from "./host-command.js";
import { hostProcessEnv, podEnvOnHost } from "./host-env.js";
import { Interrupt } from "./interrupt.js";
import { endStartedUnder, hostFolder, recordProgram } from "./local-leftovers.js";
import { checkBeforeStart } from "./preflight.js";
import type { Reporter } from "./reporter.js";
import { Session, type SessionRequest } from "./session.js";
import type { StartedSession } from "./started-session.js";

export interface HostRunRequest extends Omit<SessionRequest, "publish" | "hostProcess"> {
  envFile?: string;
  envJson?: string;
  /** The program and its arguments. */
  command: [string, ...string[]];
  /** An interactive shell: Ctrl-C belongs to it, not to tp. */
  interactive?: boolean;
}

/** The exit code of a process that ended by a signal, as shells report it. */
function signalCode(signal: NodeJS.Signals | null): number {
  return 128 + (signal ? (constants.signals[signal] ?? 0) : 0);
}

/**
 * tp run / tp shell: a session whose local side is a process on the host with the pod's
 * environment, its volumes under TELEPRESENCE_ROOT and its network (preload library and proxy
 * variables, see host-env.ts); everything undone when it ends, on a signal and on failure.
 * Returns the process's exit code, or 130/143 after a signal.
 */
export async function hostRunSession(
  kube: Kube,
  docker: Dockerode,
  request: HostRunRequest,
  progress: Reporter,
): Promise<number> {
  const interrupt = new Interrupt();
  let session: StartedSession | undefined;
  let folder: string | undefined;
  let exited: Promise<number> | undefined;
  let stopChild = (): void => undefined;
  /** The interactive shell tp started, left out of the end's sweep. */
  let shell: number | undefined;
  let removeEnvFiles = () => undefined as void;
  try {
    // Bad input fails before anything is created.
    const [program, ...args] = request.command;
    const executable = await findExecutable(program);
    if (request.volumes?.folder) await checkMountFolder(request.volumes.folder);
    await interrupt.race(checkBeforeStart(kube, docker, request, progress));
    progress.debug("checks done");
    session = await new Session(kube, docker, { ...request, publish: [], hostProcess: true }, progress).start(
      interrupt,
    );
    folder = hostFolder(session.id);
    await mkdir(folder, { mode: 0o700 });
    const [preload, proxyPort] = await interrupt.race(
      Promise.all([
        copyFileOut(session.sidecar.container, preloadPathInImage, folder),
        publishedPort(session.sidecar.container, hostProxyPort),
      ]),
    );
    progress.debug(`proxy on 127.0.0.1:${proxyPort}`);
    const env = hostProcessEnv(process.env, session.env, {
      proxyPort,
      preload,
      ...(session.volumes ? { volumesFolder: session.volumes.folder } : {}),
      neverProxy: request.sidecar.neverProxy ?? [],
      alsoProxy: request.sidecar.alsoProxy ?? [],
      // If tp dies (kill -9), the program ends too: an interactive shell by a hangup (it ignores
      // SIGTERM), anything else by SIGTERM, as when its session ends.
      parent: { pid: process.pid, signal: constants.signals[request.interactive ? "SIGHUP" : "SIGTERM"] },
    });
    removeEnvFiles = writeEnvOutputs(
      podEnvOnHost(session.env, session.volumes?.folder),
      { envFile: request.envFile, envJson: request.envJson },
      (t) => progress.warn(t),
    );
    progress.info(`${session.remote.description}: running ${program}`);
    if (request.interactive) progress.handOver?.();
    const child = spawn(executable, args, { stdio: "inherit", env, argv0: program });
    const started = session;
    exited = new Promise<number>((resolve) => {
      child.once("error", () => resolve(commandNotFound));
      child.once("exit", (code, signal) => resolve(code ?? signalCode(signal)));
    });
    child.once("spawn", () => void started.guard());
    // As when tp dies: an interactive shell ends on a hangup (it ignores SIGTERM).
    stopChild = () => {
      if (child.exitCode === null && child.signalCode === null)
        child.kill(request.interactive ? "SIGHUP" : "SIGTERM");
    };
    // A shell on the terminal is left to its hangup: killed, it could leave the terminal raw.
    if (request.interactive) shell = child.pid;
    // An interactive shell's Ctrl-C is its own (it runs in the terminal's foreground, as tp does).
    if (request.interactive) interrupt.leaveToChild("SIGINT");
    interrupt.onSignal((signal) => {
      child.kill(signal);
      // A process that ignores the signal is ended for it.
      setTimeout(() => child.kill("SIGKILL"), 3_000).unref();
    });
    // A tp killed with -9 leaves it running: `tp cleanup` ends it by this record.
    if (child.pid !== undefined)
      await recordProgram(folder, child.pid).catch((err: Error) =>
        progress.warn(`could not record the program's process (${err.message}): tp cleanup will not end it`),
      );
    const exitCode = await Promise.race([exited, session.lost]);
    return interrupt.signal ? interrupt.exitCode : exitCode;
  } finally {
    stopChild();
    if (exited) await Promise.race([exited, new Promise((r) => setTimeout(r, 3_000).unref())]);
    // What the program left running ends with the session, as a container's processes end with it:
    // it would run on with the pod's env and Secrets, its connections to the cluster failing.
    if (folder) {
      const left = await endStartedUnder(folder, shell).catch((err: Error) => {
        progress.warn(`could not look for the processes the program left running: ${err.message}`);
        return [];
      });
      if (left.length)
        progress.info(
          `${left.length} process${left.length > 1 ? "es" : ""} the program left running ended: ${left.join(", ")}`,
        );
    }
    removeEnvFiles();
    // Before the session's record goes (the last of its undo steps), which names this folder.
    if (folder) await rm(folder, { recursive: true, force: true });
    await session?.stop();
    interrupt.dispose();
  }
}
