import type Dockerode from "dockerode";
import type { Kube } from "../kube/kube.js";
import type { DockerRunArgs } from "../docker/docker-run-args.js";
import { requireLocalImage } from "../docker/images.js";
import { checkHostPortsFree } from "../docker/published-ports.js";
import {
  createUserContainer,
  runUserContainer,
  startUserContainer,
  type UserContainerOptions,
} from "../docker/user-container.js";
import { localEngine } from "../docker/local-engine.js";
import { watchStart } from "../docker/container-started.js";
import { DockerLabels } from "../contract/docker-labels.js";
import type { Reporter } from "./reporter.js";
import { writeEnvOutputs } from "./env-output.js";
import { Interrupt } from "./interrupt.js";
import { Session, type SessionRequest } from "./session.js";
import { aheadDifferences, type SessionAhead } from "./session-ahead.js";
import { checkBeforeStart } from "./preflight.js";
import type { StartedSession } from "./started-session.js";
import { reachStage, Stages } from "../stages.js";

export interface DockerRunRequest extends Omit<SessionRequest, "publish"> {
  envFile?: string;
  envJson?: string;
  run: DockerRunArgs;
}

/**
 * tp docker-run: a session, then the user's container in the sidecar's namespace, in the
 * foreground; everything undone at the end, on a signal, and on failure.
 * Returns the exit code: the container's, or 130/143 after a signal.
 */
export async function dockerRunSession(
  kube: Kube,
  docker: Dockerode,
  request: DockerRunRequest,
  progress: Reporter,
): Promise<number> {
  const interrupt = new Interrupt();
  const engine = localEngine(docker);
  const removeUser = (name: string) => engine.removeContainer(name).catch(() => false);
  let session: StartedSession | undefined;
  let userName: string | undefined;
  let removeEnvFiles = () => undefined as void;
  let exitCode: number;
  try {
    // Everything that can fail on bad input is checked at once, before anything is created.
    await interrupt.race(
      Promise.all([
        checkBeforeStart(kube, docker, request, progress),
        checkHostPortsFree(request.run.publish, docker),
        requireLocalImage(
          docker,
          request.run.image,
          "build or pull it first: tp docker-run does not pull images",
        ),
      ]),
    );
    progress.debug("checks done");
    const sessionRequest = { ...request, publish: request.run.publish, envAhead: true };
    const starting = new Session(kube, docker, sessionRequest, progress);
    const userOptions = (id: string, ahead: SessionAhead, planned = false): UserContainerOptions => ({
      sessionId: id,
      sidecar: ahead.sidecar,
      env: ahead.env,
      mounts: ahead.volumes?.mounts(request.run.volumes, planned) ?? [],
      run: request.run,
      labels: ahead.labels,
    });
    // The user's container is made while the session starts, when the pod's env is known ahead.
    // It starts once the session is up, and only with the env the agent reports (else it is made
    // again with that one).
    const made = madeAhead(engine, starting, (a) => userOptions(starting.id, a, true), progress);
    try {
      session = await starting.start(interrupt);
    } catch (err) {
      const early = await made;
      if (early) await removeUser(early.name);
      throw err;
    }
    removeEnvFiles = writeEnvOutputs(
      session.env,
      { envFile: request.envFile, envJson: request.envJson },
      (t) => progress.warn(t),
    );

    progress.info(`${session.remote.description}: starting ${request.run.image}`);
    // The workload's traffic moves to the session, and its warden starts, once the user's
    // container has started.
    const started = watchStart(docker, [
      `${DockerLabels.session}=${session.id}`,
      `${DockerLabels.role}=user`,
    ]);
    void started.started.then(async () => {
      await reachStage(Stages.userStarted);
      await session?.guard();
    });
    const options = userOptions(session.id, { ...session, sidecar: session.sidecar.name });
    // Not raced with a signal: a container made is removed with the rest.
    const early = await made;
    userName = early?.name;
    const differs = early && aheadDifferences(early.options, options);
    if (early && differs) {
      progress.debug(`the container made ahead differs (${differs}): it is made again`);
      await removeUser(early.name);
    }
    const same = early !== undefined && !differs;
    const user = same
      ? startUserContainer(engine, early.name, request.run)
      : runUserContainer(engine, options);
    userName = user.name;
    interrupt.onSignal((signal) => {
      user.child.kill(signal);
      // A container whose main process ignores the signal is stopped for it.
      setTimeout(() => void removeUser(user.name), 3_000).unref();
    });
    exitCode = await Promise.race([user.exited, session.lost]).finally(() => started.close());
  } finally {
    if (userName) await removeUser(userName);
    removeEnvFiles();
    await session?.stop();
    interrupt.dispose();
  }
  // Read after the undo: a signal that came during it makes the exit code 130/143 too.
  return interrupt.signal ? interrupt.exitCode : exitCode;
}

/** The user container made by `docker create` once the session knows enough (see Session.ahead). */
async function madeAhead(
  engine: ReturnType<typeof localEngine>,
  session: Session,
  options: (ahead: SessionAhead) => UserContainerOptions,
  progress: Reporter,
): Promise<{ name: string; options: UserContainerOptions } | undefined> {
  try {
    const ahead = await session.ahead;
    if (!ahead) return undefined;
    const o = options(ahead);
    const name = await createUserContainer(engine, o);
    progress.debug("user container created");
    return { name, options: o };
  } catch (err) {
    progress.debug(`user container not made ahead: ${(err as Error).message}`);
    return undefined;
  }
}
