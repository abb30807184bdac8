import { describe, expect, it } from "vitest";
import { signature, type Entry } from "./entry.js";
import { planSync, type SyncBase } from "./sync-plan.js";

const file = (size: number, mtimeMs: number): Entry => ({ type: "file", mode: 0o644, size, mtimeMs });
const dir = (mtimeMs = 1_000): Entry => ({ type: "dir", mode: 0o755, size: 0, mtimeMs });

/** A base record for a path that was in step as `l` locally and `r` in the pod. */
const inStep = (l: Entry, r: Entry = l): SyncBase => ({ local: signature(l), remote: signature(r) });

const t0 = 1_700_000_000_000;
const before = file(5, t0);

function plan(
  local: Record<string, Entry>,
  remote: Record<string, Entry>,
  base: Record<string, SyncBase>,
  writable = true,
) {
  return planSync(
    new Map(Object.entries(local)),
    new Map(Object.entries(remote)),
    new Map(Object.entries(base)),
    writable,
  );
}

describe("planSync", () => {
  it("copies a change of one side to the other, without a conflict", () => {
    const fromPod = plan({ a: before }, { a: file(6, t0 + 5_000) }, { a: inStep(before) });
    expect(fromPod.fetch).toEqual(["a"]);
    expect(fromPod.conflicts).toEqual([]);
    const fromHere = plan({ a: file(7, t0 + 5_000) }, { a: before }, { a: inStep(before) });
    expect(fromHere.push).toEqual(["a"]);
    expect(fromHere.conflicts).toEqual([]);
  });

  it("keeps the newer write when both sides changed, and reports the conflict", () => {
    const localNewer = plan({ a: file(7, t0 + 9_000) }, { a: file(6, t0 + 5_000) }, { a: inStep(before) });
    expect(localNewer.push).toEqual(["a"]);
    expect(localNewer.fetch).toEqual([]);
    expect(localNewer.conflicts).toEqual([{ path: "a", kept: "local" }]);

    const podNewer = plan({ a: file(7, t0 + 5_000) }, { a: file(6, t0 + 9_000) }, { a: inStep(before) });
    expect(podNewer.fetch).toEqual(["a"]);
    expect(podNewer.push).toEqual([]);
    expect(podNewer.conflicts).toEqual([{ path: "a", kept: "pod" }]);
  });

  it("settles two identical changes without a conflict", () => {
    const same = file(8, t0 + 9_000);
    const p = plan({ a: same }, { a: { ...same, mode: 0o600 } }, { a: inStep(before) });
    expect(p.settle).toEqual(["a"]);
    expect(p.conflicts).toEqual([]);
  });

  it("keeps a changed entry against a deletion on the other side, and reports it", () => {
    const deletedHere = plan({}, { a: file(6, t0 + 5_000) }, { a: inStep(before) });
    expect(deletedHere.fetch).toEqual(["a"]);
    expect(deletedHere.conflicts).toEqual([{ path: "a", kept: "pod" }]);
    const deletedInPod = plan({ a: file(7, t0 + 5_000) }, {}, { a: inStep(before) });
    expect(deletedInPod.push).toEqual(["a"]);
    expect(deletedInPod.conflicts).toEqual([{ path: "a", kept: "local" }]);
  });

  it("deletes on the other side what one side deleted", () => {
    // Deleted locally (the pod's entry unchanged): deleted in the pod.
    expect(plan({}, { x: before }, { x: inStep(before) }).deleteRemote).toEqual(["x"]);
    // Deleted in the pod (the local entry unchanged): deleted locally.
    expect(plan({ x: before }, {}, { x: inStep(before) }).deleteLocal).toEqual(["x"]);
  });

  it("on a read-only volume puts the pod's version back over a local change", () => {
    const p = plan({ a: file(7, t0 + 9_000) }, { a: before }, { a: inStep(before) }, false);
    expect(p.fetch).toEqual(["a"]);
    expect(p.push).toEqual([]);
    expect(p.conflicts).toEqual([]);
  });

  it("replaces an entry of another kind before copying over it", () => {
    const p = plan({ a: dir(t0 + 9_000) }, { a: file(6, t0 + 5_000) }, { a: inStep(before) });
    expect(p.clearRemote).toEqual(["a"]);
    expect(p.push).toEqual(["a"]);
  });
});
