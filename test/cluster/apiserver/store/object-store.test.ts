import { describe, expect, it } from "vitest";
import { ObjectStore } from "./object-store.js";

describe("object store", () => {
  it("gives every change the next resourceVersion and replays changes after one", () => {
    const store = new ObjectStore();
    const seen: string[] = [];
    store.subscribe((e) => seen.push(`${e.type} ${e.object.metadata.name} ${e.rv}`));
    const start = store.currentRv();
    const a = store.create("/configmaps", { metadata: { name: "a", namespace: "n" } });
    expect(a.metadata.resourceVersion).toBe(String(start + 1));
    store.update("/configmaps", { ...a, data: { x: "1" } });
    const gone = store.remove("/configmaps", "n", "a");
    expect(gone?.metadata.resourceVersion).toBe(String(start + 3));
    expect(seen).toEqual([`ADDED a ${start + 1}`, `MODIFIED a ${start + 2}`, `DELETED a ${start + 3}`]);
    const since = store.eventsSince(start + 1);
    expect(since !== "expired" && since.map((e) => e.type)).toEqual(["MODIFIED", "DELETED"]);
    expect(store.eventsSince(start - 50)).toBe("expired");
  });

  it("hands out copies, so callers cannot change what is stored", () => {
    const store = new ObjectStore();
    store.create("/configmaps", { metadata: { name: "a", namespace: "n" }, data: { x: "1" } });
    const got = store.get("/configmaps", "n", "a")!;
    (got.data as Record<string, string>).x = "2";
    expect(store.get("/configmaps", "n", "a")!.data).toEqual({ x: "1" });
    expect(store.list("/configmaps", "other")).toEqual([]);
  });
});
