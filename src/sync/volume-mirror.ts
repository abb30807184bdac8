import { signature, type Entry } from "./entry.js";
import { planSync, type Conflict, type SyncBase, type SyncPlan } from "./sync-plan.js";

/** How a mirror reaches its two sides; paths are relative to the volume root ("" is the root). */
export interface MirrorIo {
  scanLocal(): Promise<Map<string, Entry>>;
  fetch(paths: string[]): Promise<void>;
  /** Copies to the pod; returns the pod's entries afterwards. */
  push(paths: string[]): Promise<Map<string, Entry | undefined>>;
  removeLocal(paths: string[]): Promise<void>;
  removeRemote(paths: string[]): Promise<void>;
  conflict(conflict: Conflict): void;
}

/**
 * One volume kept in step on both sides: the pod's entries as last reported, and for each path
 * the signatures of both sides when they last agreed. Not re-entrant: the caller runs one
 * reconcile at a time per volume (and applies the pod's reports between them).
 */
export class VolumeMirror {
  readonly remote = new Map<string, Entry>();
  readonly base = new Map<string, SyncBase>();

  constructor(
    readonly writable: boolean,
    private readonly io: MirrorIo,
  ) {}

  /** The pod's full listing (a new watch): replaces what was known. */
  setRemote(entries: Iterable<[string, Entry]>): void {
    this.remote.clear();
    for (const [p, e] of entries) this.remote.set(p, e);
  }

  /** Changes the pod reported: an entry, or undefined when the path is gone. */
  applyRemote(changes: Iterable<[string, Entry | undefined]>): void {
    for (const [p, e] of changes) {
      if (e) this.remote.set(p, e);
      else this.remote.delete(p);
    }
  }

  /**
   * After a snapshot of what `listing` described: each path that exists on both sides is in step
   * as of that listing (later reports of the pod then count as changes).
   */
  adopt(local: Map<string, Entry>, listing: Map<string, Entry>): void {
    for (const [p, r] of listing) {
      const l = local.get(p);
      if (l && l.type === r.type) this.base.set(p, { local: signature(l), remote: signature(r) });
    }
  }

  /** Bring both sides in step; returns what was done. */
  async reconcile(): Promise<SyncPlan> {
    const io = this.io;
    const local = await io.scanLocal();
    const plan = planSync(local, this.remote, this.base, this.writable);
    // What the plan saw of the pod: reports that arrive meanwhile are for the next round.
    const seen = new Map<string, Entry | undefined>();
    for (const p of [...plan.fetch, ...plan.settle, ...plan.push]) seen.set(p, this.remote.get(p));
    if (plan.clearLocal.length) await io.removeLocal(plan.clearLocal);
    if (plan.clearRemote.length) await io.removeRemote(plan.clearRemote);
    if (plan.fetch.length) await io.fetch(plan.fetch);
    let pushed = new Map<string, Entry | undefined>();
    if (plan.push.length) pushed = await io.push(plan.push);
    if (plan.deleteLocal.length) await io.removeLocal(plan.deleteLocal);
    if (plan.deleteRemote.length) await io.removeRemote(plan.deleteRemote);
    for (const c of plan.conflicts) io.conflict(c);

    const after = plan.fetch.length ? await io.scanLocal() : local;
    for (const p of [...plan.fetch, ...plan.settle]) this.record(p, after.get(p), seen.get(p));
    for (const [p, r] of pushed) {
      if (signature(this.remote.get(p)) === signature(seen.get(p))) {
        if (r) this.remote.set(p, r);
        else this.remote.delete(p);
      }
      this.record(p, local.get(p), r);
    }
    for (const p of plan.deleteLocal) this.base.delete(p);
    for (const p of plan.deleteRemote) {
      this.base.delete(p);
      this.remote.delete(p);
    }
    return plan;
  }

  private record(p: string, l: Entry | undefined, r: Entry | undefined): void {
    if (!l && !r) this.base.delete(p);
    else this.base.set(p, { local: signature(l), remote: signature(r) });
  }
}
