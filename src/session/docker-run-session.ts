import type Dockerode from "dockerode";
import type { Kube } from "../kube/kube.js";
import type { DockerRunArgs } from "../docker/docker-run-args.js";
import { localImageCommand } from "../docker/images.js";
import { volumesOwnerFor } from "../docker/image-user.js";
import { checkHostPortsFree } from "../docker/published-ports.js";
import {
  runUserContainer,
  startUserContainer,
  type RunningUserContainer,
  type UserContainerOptions,
} from "../docker/user-container.js";
import { localEngine } from "../docker/local-engine.js";
import { containerStarted } from "../docker/container-started.js";
import { DockerLabels } from "../contract/docker-labels.js";
import type { Reporter } from "./reporter.js";
import { writeEnvOutputs } from "./env-output.js";
import { Interrupt } from "./interrupt.js";
import { Session, type SessionRequest } from "./session.js";
import { aheadDifferences, type SessionAhead } from "./session-ahead.js";
import { discardUserAhead, makeUserAhead } from "./user-ahead.js";
import { checkBeforeStart } from "./preflight.js";
import { signalNotice, type StartedSession } from "./started-session.js";
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
  let sessionId = "";
  // The session's own user container only: a name given with --name may be another container's
  // (the one that held the name, so that the session's was never made).
  const removeUser = (name: string) =>
    engine.removeContainer(name, { [DockerLabels.session]: sessionId }).catch(() => false);
  let session: StartedSession | undefined;
  let userName: string | undefined;
  let removeEnvFiles = () => undefined as void;
  let closeHold = async () => undefined as void;
  let exitCode: number;
  try {
    // Everything that can fail on bad input is checked at once, before anything is created.
    const imageChecked = localImageCommand(
      docker,
      request.run.image,
      "build or pull it first: tp docker-run does not pull images",
    );
    const [, , image, containerUid] = await interrupt.race(
      Promise.all([
        checkBeforeStart(kube, docker, request, progress),
        checkHostPortsFree(request.run.publish, docker),
        imageChecked,
        imageChecked.then((img) =>
          volumesOwnerFor(docker, request.run.image, request.run.user ?? img.user ?? ""),
        ),
      ]),
    );
    progress.debug("checks done");
    const sessionRequest = {
      ...request,
      publish: request.run.publish,
      envAhead: true,
      ...(request.volumes && containerUid !== undefined
        ? { volumes: { ...request.volumes, containerUid } }
        : {}),
    };
    const starting = new Session(kube, docker, sessionRequest, progress);
    sessionId = starting.id;
    const userOptions = (id: string, ahead: SessionAhead, planned = false): UserContainerOptions => ({
      sessionId: id,
      sidecar: ahead.sidecar,
      env: ahead.env,
      mounts: ahead.volumes?.mounts(request.run.volumes, planned) ?? [],
      run: request.run,
      labels: ahead.labels,
    });
    // The user's container is made while the session starts, when the pod's env is known ahead,
    // and started with its program held where it can be (see HeldStart). Its program runs once the
    // session is up, and only with the env the agent reports (else it is made again with that one).
    const made = makeUserAhead(
      engine,
      docker,
      starting.ahead,
      (a) => userOptions(starting.id, a, true),
      image,
      progress,
    );
    try {
      session = await starting.start(interrupt);
    } catch (err) {
      const early = await made;
      if (early) await discardUserAhead(early, removeUser);
      throw err;
    }
    const started = session;
    await reachStage(Stages.sessionUp);
    removeEnvFiles = writeEnvOutputs(
      session.env,
      { envFile: request.envFile, envJson: request.envJson },
      (t) => progress.warn(t),
    );

    progress.info(`${session.remote.description}: starting ${request.run.image}`);
    // The workload's traffic moves to the session once the user's container has started (its
    // program released, for a held one); until then the workload's own pods serve.
    const takeOver = async () => {
      await reachStage(Stages.userStarted);
      await started.guard();
    };
    const options = userOptions(session.id, { ...session, sidecar: session.sidecar.name });
    // Not raced with a signal: a container made is removed with the rest.
    const early = await made;
    userName = early?.name;
    if (early?.held) closeHold = () => early.held!.hold.close();
    const differs = early && aheadDifferences(early.options, options);
    // A held start whose wrapper ended already (it could not run here) is made again as well.
    const failed = early?.held?.ended() ? "its held start ended" : undefined;
    if (early && (differs || failed)) {
      progress.debug(`the container made ahead differs (${differs ?? failed}): it is made again`);
      await discardUserAhead(early, removeUser);
    }
    // A signal since the session came up: the user's program never starts.
    if (interrupt.signal) throw interrupt.error();
    // A container with a terminal draws on it from now on.
    if (request.run.tty) progress.handOver?.();
    let user: RunningUserContainer;
    // A container started here is followed until it starts (the traffic moves then), or until
    // the session ends.
    const following = new AbortController();
    if (early?.held && !differs && !failed) {
      await early.held.hold.release();
      early.held.reportTo((m) => progress.warn(m));
      progress.debug("user program released");
      user = early.held.user;
      void takeOver();
    } else {
      user =
        early && !differs && !failed
          ? startUserContainer(engine, early.name, request.run, (m) => progress.warn(m))
          : runUserContainer(engine, options, (m) => progress.warn(m));
      void containerStarted(docker, user.name, following.signal).then((yes) => {
        if (yes) void takeOver();
      });
    }
    userName = user.name;
    let ended = false;
    const markEnded = () => (ended = true);
    user.exited.then(markEnded, markEnded);
    interrupt.onSignal((signal) => {
      // The workload's traffic goes back to its own pods first, and the user's program answers
      // what reaches the proxy until they are Ready: nothing is lost on the way back either.
      if (!ended && !request.run.tty) progress.info(signalNotice(signal, started.handsBackFirst, true));
      void Promise.race([started.handBack(), interrupt.again()]).then(() => {
        user.kill(signal);
        // A container whose main process ignores the signal is stopped for it (after docker
        // stop's 10 s where its shutdown writes to a claim: a database's checkpoint).
        setTimeout(() => void removeUser(user.name), started.handsBackFirst ? 3_000 : 10_000).unref();
      });
    });
    // Once a signal came, the proxy goes before the container: its loss is not the session's end.
    const lost = session.lost.catch((err: unknown) => (interrupt.signal ? user.exited : Promise.reject(err)));
    exitCode = await Promise.race([user.exited, lost]).finally(() => following.abort());
  } finally {
    if (userName) await removeUser(userName);
    await closeHold();
    removeEnvFiles();
    await session?.stop();
    interrupt.dispose();
  }
  // Read after the undo: a signal that came during it makes the exit code 130/143 too.
  return interrupt.signal ? interrupt.exitCode : exitCode;
}
