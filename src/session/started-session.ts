import type { TpError } from "../errors.js";
import type { RemoteEnd } from "../kube/remote-end.js";
import type { StartedWarden } from "../cluster/warden.js";
import type { StartedSidecar } from "../docker/sidecar.js";
import type { SessionVolumes } from "./session-volumes.js";
import { lastRoundSeconds } from "../contract/volume-config.js";
import type { Reporter } from "./reporter.js";

/** Something a session did, and how to undo it. */
export interface UndoStep {
  what: string;
  run: () => Promise<string[]>;
  /** Needs the cluster: skipped once the session is lost (the warden undoes it there). */
  cluster?: boolean;
  /**
   * Started as soon as the undoing starts, beside the steps before it (its lines still come in
   * order): the cluster's restore, whose pods then start while the local side is taken down.
   */
  early?: boolean;
}

/** A running session; stop() undoes it (the caller removes its own containers first). */
export class StartedSession {
  constructor(
    readonly id: string,
    readonly remote: RemoteEnd,
    readonly sidecar: StartedSidecar,
    /** The pod's environment and TELEPRESENCE_* for the user container. */
    readonly env: Record<string, string>,
    /** Labels for the session's local containers. */
    readonly labels: Record<string, string>,
    /** Rejects when the session is lost (tunnel gone for good, record expired). */
    readonly lost: Promise<never>,
    private readonly undo: UndoStep[],
    private readonly progress: Reporter,
    private readonly warden: StartedWarden | undefined,
    /** The pod's volumes, when copied: their mounts for the user container. */
    readonly volumes?: SessionVolumes,
  ) {
    // Only a cluster that cannot be reached leaves its part to the warden; a dead sidecar or proxy
    // pod ends the session, which tp undoes in the cluster itself. A lost session takes no traffic
    // over any more: its program may start after the loss (a held one released), and sending the
    // workload's traffic to a proxy with no session behind it would only be undone again.
    lost.catch((err: unknown) => {
      this.isLost = (err as TpError).code === "cluster-unreachable";
      this.beginStopping();
    });
  }

  private isLost = false;
  private guarded = false;
  private stopping = false;
  /** The early undo steps begun by handBack(), which stop() then waits for. */
  private readonly begun = new Map<UndoStep, Promise<string[]>>();

  /**
   * Whether handBack() gives the traffic back before the containers stop: not where the program
   * writes to volumes that outlive the proxy pod (a claim), whose last writes must reach them
   * first. Then the containers stop first and the cluster takes the traffic back after them.
   */
  get handsBackFirst(): boolean {
    return !this.volumes?.outlivePod;
  }

  /**
   * Begin the cluster's undo now, before the caller stops its containers: a swapped workload's
   * pods start again and the proxy leaves its Service once they are Ready, while the user's
   * program still answers what the proxy sends it. Resolves once that part is done (it gives up
   * on pods that are not Ready in time); stop() does the rest. Nothing is begun for a session
   * whose cluster cannot be reached.
   */
  async handBack(): Promise<void> {
    this.beginStopping();
    if (this.isLost || !this.handsBackFirst) return;
    const runs = this.undo.filter((s) => s.early).map((s) => beginStep(this.begun, s));
    await Promise.allSettled(runs);
  }

  /**
   * The session's own containers run: send the workload's traffic to the proxy alone (a swapped
   * Deployment goes to 0, once the proxy is Ready). Until then the workload's pods keep serving.
   * Called by the caller once its program runs, and not before: a container that takes a while
   * to start leaves the workload serving meanwhile. Resolves once the traffic goes to the proxy
   * (failures are warnings).
   */
  guard(): Promise<void> {
    if (this.guarded) return this.tookOver;
    this.guarded = true;
    // Asked of Docker itself: a sidecar killed a moment ago may not have been reported yet.
    this.tookOver = this.sidecar
      .running()
      .then(async (runs) => {
        if (!runs || this.stopping) return this.progress.debug("no take-over: the session is ending");
        await this.remote.takeOver?.();
        this.progress.debug("cluster end in place");
      })
      .then(undefined, (err: unknown) => {
        const text = `could not send all of the workload's traffic to the proxy (${(err as Error).message}): its own pods keep serving part of it`;
        // Once the session ends, its undo takes the proxy away: a take-over cut short by it is no news.
        if (this.stopping) this.progress.debug(text);
        else this.progress.warn(text);
      });
    return this.tookOver;
  }

  private tookOver: Promise<void> = Promise.resolve();

  /** From now on the session ends: no take-over of the workload's traffic any more. */
  private beginStopping(): void {
    this.guarded = true;
    this.stopping = true;
  }

  /** Undo in reverse order of doing: sidecar, cluster, warden, session record. */
  async stop(): Promise<void> {
    this.beginStopping();
    if (this.isLost) {
      const local = this.undo.filter((s) => !s.cluster);
      this.undo.splice(0);
      await undoAll(local, this.progress, this.begun);
      this.progress.warn(
        this.warden
          ? "the cluster cannot be reached: the session's warden undoes it in the cluster"
          : "the cluster cannot be reached: run `tp cleanup` once it can, to undo the session there",
      );
      return;
    }
    if (!this.handsBackFirst) {
      // The last local writes reach the pod's volumes (the sidecar's last round, when it is
      // stopped) while the tunnel and the proxy pod are still there.
      this.progress.debug("handing the last local writes to the pod's volumes");
      // (Its last round may take a while for a database's files: a round cut short would leave
      // a file half written in the claim.)
      await this.sidecar.stop(lastRoundSeconds + 5);
    }
    await undoAll(this.undo, this.progress, this.begun);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

/**
 * What tp says when a signal ends a session (`one`: its container) or several: whether the cluster
 * takes the traffic back before the containers stop, or after them (see handsBackFirst).
 */
export function signalNotice(signal: string, handsBackFirst: boolean, one: boolean): string {
  const them = one ? "the container" : "the containers";
  return handsBackFirst
    ? `${signal}: the cluster takes the traffic back before ${them} ${one ? "stops" : "stop"} (${signal} again: stop ${one ? "it" : "them"} now)`
    : `${signal}: ${them} ${one ? "stops" : "stop"} first, ${one ? "its" : "their"} last writes then go to the ${one ? "pod's" : "pods'"} volumes`;
}

/** Run an early step once: the run begun already, or a new one (recorded in `begun`). */
function beginStep(begun: Map<UndoStep, Promise<string[]>>, step: UndoStep): Promise<string[]> {
  let run = begun.get(step);
  if (!run) {
    run = step.run();
    run.catch(() => undefined);
    begun.set(step, run);
  }
  return run;
}

/** Undo the steps in reverse order; the early ones begin at once (or were begun, in `begun`). */
export async function undoAll(
  undo: UndoStep[],
  progress: Reporter,
  begun = new Map<UndoStep, Promise<string[]>>(),
): Promise<void> {
  const steps = undo.splice(0).reverse();
  for (const s of steps) if (s.early) void beginStep(begun, s);
  for (const step of steps) {
    try {
      for (const line of await (begun.get(step) ?? step.run())) progress.info(line);
    } catch (err) {
      progress.warn(`could not undo the ${step.what}: ${(err as Error).message}; run \`tp cleanup\``);
    }
  }
}
