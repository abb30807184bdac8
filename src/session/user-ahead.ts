import type Dockerode from "dockerode";
import { HeldStart, heldArgv, type ImageCommand } from "../docker/held-start.js";
import type { LocalEngine } from "../docker/local-engine.js";
import {
  createUserContainer,
  startUserContainer,
  type RunningUserContainer,
  type UserContainerOptions,
} from "../docker/user-container.js";
import type { Reporter } from "./reporter.js";
import type { SessionAhead } from "./session-ahead.js";

/** The user container made while the session starts (see Session.ahead). */
export interface UserAhead {
  name: string;
  /** What it was made with (the hold aside): compared with what the started session asks for. */
  options: UserContainerOptions;
  /** Started with its program held back (see HeldStart): released once the session is up. */
  held?: {
    user: RunningUserContainer;
    hold: HeldStart;
    ended: () => boolean;
    /** Where what goes wrong with it is said from now on (what was, first). */
    reportTo: (to: (message: string) => void) => void;
  };
}

/**
 * Make the user container by `docker create` once the session knows enough, and where it can be,
 * start it held: its program runs only after release(), once the session is up and the env the
 * agent reports is the one it was made with. Undefined when the session knows nothing ahead.
 */
export async function makeUserAhead(
  engine: LocalEngine,
  docker: Dockerode,
  ahead: Promise<SessionAhead | undefined>,
  options: (ahead: SessionAhead) => UserContainerOptions,
  image: ImageCommand,
  progress: Reporter,
): Promise<UserAhead | undefined> {
  let hold: HeldStart | undefined;
  try {
    const a = await ahead;
    if (!a) return undefined;
    const o = options(a);
    hold = await holdFor(docker, a, o, image);
    const argv = heldArgv(image, o.run);
    const name = await createUserContainer(
      engine,
      hold && argv ? { ...o, hold: { ...hold.command(argv), mounts: hold.mounts } } : o,
    );
    progress.debug("user container created");
    if (!hold) return { name, options: o };
    // What goes wrong is said once the container is the session's (released): one whose held
    // start ended before is made again, which says it then if it fails again.
    const said: string[] = [];
    let say: ((message: string) => void) | undefined;
    const user = startUserContainer(engine, name, o.run, (m) => {
      if (say) return say(m);
      progress.debug(`held start: ${m}`);
      said.push(m);
    });
    let ended = false;
    void user.exited.then(() => (ended = true));
    progress.debug("user container started, its program held");
    const reportTo = (to: (message: string) => void) => {
      say = to;
      said.splice(0).forEach(to);
    };
    return { name, options: o, held: { user, hold, ended: () => ended, reportTo } };
  } catch (err) {
    await hold?.close();
    progress.debug(`user container not made ahead: ${(err as Error).message}`);
    return undefined;
  }
}

/**
 * The hold for a container made ahead, where it applies: an engine on this machine, no TTY (the
 * attached terminal would take Ctrl-C from tp while the session starts), a program known from the
 * image, and the volumes' folders made before the first copy.
 */
async function holdFor(
  docker: Dockerode,
  ahead: SessionAhead,
  o: UserContainerOptions,
  image: ImageCommand,
): Promise<HeldStart | undefined> {
  if (o.run.tty || !ahead.localFolder || !heldArgv(image, o.run)) return undefined;
  if (ahead.volumes && !(await ahead.volumes.makeMountSources())) return undefined;
  return HeldStart.prepare(docker.getContainer(ahead.sidecar), ahead.localFolder);
}

/** Let go of a container made ahead that is not used: its held start stopped, the container removed. */
export async function discardUserAhead(
  made: UserAhead,
  remove: (name: string) => Promise<unknown>,
): Promise<void> {
  made.held?.user.detach();
  await remove(made.name);
  await made.held?.hold.close();
}
