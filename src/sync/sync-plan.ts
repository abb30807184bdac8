import { signature, type Entry } from "./entry.js";

/** The signatures of a path on both sides when they were last in step. */
export interface SyncBase {
  local: string;
  remote: string;
}

export interface Conflict {
  path: string;
  /** Which write was kept: the newer one. */
  kept: "local" | "pod";
}

/** What to do to bring one volume's two sides in step; paths are relative to the volume root. */
export interface SyncPlan {
  /** Remove locally first: the pod has another kind of entry there. */
  clearLocal: string[];
  /** Remove in the pod first: the local side has another kind of entry there. */
  clearRemote: string[];
  fetch: string[];
  push: string[];
  deleteLocal: string[];
  deleteRemote: string[];
  /** Already equal on both sides: only the record changes. */
  settle: string[];
  conflicts: Conflict[];
}

/** Same content as far as a copy can tell (modes may differ: Secrets are owner-only locally). */
export function looksSame(a: Entry, b: Entry): boolean {
  if (a.type !== b.type) return false;
  if (a.type === "dir") return true;
  if (a.type === "symlink") return a.target === b.target;
  return a.size === b.size && Math.floor(a.mtimeMs / 1000) === Math.floor(b.mtimeMs / 1000);
}

const byPath = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const deepestFirst = (a: string, b: string) => b.split("/").length - a.split("/").length || byPath(a, b);

/**
 * Three-way comparison of each path: the local entry, the pod's entry and the record of the last
 * time they were in step. A side changed when its signature differs from the record. A change on
 * one side is copied to the other; changes on both keep the newer write (by mtime) and report a
 * conflict; a deletion against a change keeps the changed entry. On a read-only volume the pod
 * always wins.
 */
export function planSync(
  local: ReadonlyMap<string, Entry>,
  remote: ReadonlyMap<string, Entry>,
  base: ReadonlyMap<string, SyncBase>,
  writable: boolean,
): SyncPlan {
  const plan: SyncPlan = {
    clearLocal: [],
    clearRemote: [],
    fetch: [],
    push: [],
    deleteLocal: [],
    deleteRemote: [],
    settle: [],
    conflicts: [],
  };
  const fetch = (p: string, l: Entry | undefined, r: Entry) => {
    if (l && l.type !== r.type) plan.clearLocal.push(p);
    plan.fetch.push(p);
  };
  const push = (p: string, l: Entry, r: Entry | undefined) => {
    if (r && r.type !== l.type) plan.clearRemote.push(p);
    plan.push.push(p);
  };
  const paths = new Set([...local.keys(), ...remote.keys(), ...base.keys()]);
  for (const p of paths) {
    const l = local.get(p);
    const r = remote.get(p);
    const b = base.get(p);
    const remoteChanged = signature(r) !== (b?.remote ?? "");
    let localChanged = signature(l) !== (b?.local ?? "");
    if (!writable && !remoteChanged && localChanged) {
      // Nothing local may change a read-only volume: put the pod's version back.
      if (r && !(l && looksSame(l, r))) fetch(p, l, r);
      else if (!r && l) plan.deleteLocal.push(p);
      else plan.settle.push(p);
      continue;
    }
    if (!writable) localChanged = false;
    if (!remoteChanged && !localChanged) continue;
    if (remoteChanged && !localChanged) {
      if (r) fetch(p, l, r);
      else if (l) plan.deleteLocal.push(p);
      else plan.settle.push(p);
    } else if (localChanged && !remoteChanged) {
      if (l) push(p, l, r);
      else if (r) plan.deleteRemote.push(p);
      else plan.settle.push(p);
    } else if (l && r) {
      if (looksSame(l, r) || (l.type === "dir" && r.type === "dir")) plan.settle.push(p);
      else if (l.mtimeMs > r.mtimeMs) {
        push(p, l, r);
        if (b) plan.conflicts.push({ path: p, kept: "local" });
      } else {
        fetch(p, l, r);
        if (b) plan.conflicts.push({ path: p, kept: "pod" });
      }
    } else if (l) {
      push(p, l, r);
      plan.conflicts.push({ path: p, kept: "local" });
    } else if (r) {
      fetch(p, l, r);
      plan.conflicts.push({ path: p, kept: "pod" });
    } else plan.settle.push(p);
  }
  plan.fetch.sort(byPath);
  plan.push.sort(byPath);
  for (const list of [plan.clearLocal, plan.clearRemote, plan.deleteLocal, plan.deleteRemote])
    list.sort(deepestFirst);
  return plan;
}
