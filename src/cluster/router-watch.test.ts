import { ApiException, type V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { Kube } from "../kube/kube.js";
import { watchRouter } from "./router-watch.js";
import { settled, until } from "./testing.js";

/** A cluster whose router pod is whatever `state.pod` says (undefined: 404; an Error: no answer). */
function fakeCluster(pod: V1Pod | undefined | Error) {
  const state: { pod: V1Pod | undefined | Error; reads: number; shadowUid?: string } = {
    pod,
    reads: 0,
    shadowUid: "s1",
  };
  const core = {
    readNamespacedService: async () => {
      if (!state.shadowUid) throw new ApiException(404, "not found", { message: "services not found" }, {});
      return { metadata: { name: "tp-orig-web", uid: state.shadowUid } };
    },
    readNamespacedPod: async () => {
      state.reads++;
      if (state.pod instanceof Error) throw state.pod;
      if (!state.pod) throw new ApiException(404, "not found", { message: "pods not found" }, {});
      return state.pod;
    },
  };
  return { kube: { namespace: "ns", core } as unknown as Kube, state };
}

const running: V1Pod = { metadata: { name: "tp-router-web", uid: "u1" }, status: { phase: "Running" } };

describe("watchRouter", () => {
  it("keeps quiet while the router runs, and fails naming it once it is deleted", async () => {
    const { kube, state } = fakeCluster(running);
    const w = watchRouter(kube, "ns", { pod: { name: "tp-router-web", uid: "u1" } }, 5);
    const seen = settled(w.lost);
    await until(() => state.reads >= 3);
    expect(seen.error).toBeUndefined();
    state.pod = undefined;
    await until(() => seen.error !== undefined);
    expect(seen.error?.message).toBe(
      "the router pod ns/tp-router-web was deleted: the intercept ends, so that the Service selects its own pods again",
    );
  });

  it("fails when the router was replaced by another pod of the same name, or is being deleted", async () => {
    const replaced = fakeCluster({ ...running, metadata: { name: "tp-router-web", uid: "u2" } });
    const a = settled(
      watchRouter(replaced.kube, "ns", { pod: { name: "tp-router-web", uid: "u1" } }, 5).lost,
    );
    const deleting = fakeCluster({
      ...running,
      metadata: { ...running.metadata, deletionTimestamp: new Date() },
    });
    const b = settled(
      watchRouter(deleting.kube, "ns", { pod: { name: "tp-router-web", uid: "u1" } }, 5).lost,
    );
    await until(() => a.error !== undefined && b.error !== undefined);
    expect(a.error?.message).toMatch(/^the router pod ns\/tp-router-web was replaced:/);
    expect(b.error?.message).toMatch(/^the router pod ns\/tp-router-web is being deleted:/);
  });

  it("does not count a cluster that does not answer as a lost router", async () => {
    const { kube, state } = fakeCluster(
      Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
    );
    const seen = settled(watchRouter(kube, "ns", { pod: { name: "tp-router-web", uid: "u1" } }, 5).lost);
    await until(() => state.reads >= 3);
    expect(seen.error).toBeUndefined();
  });

  it("says nothing once stopped, even when the router goes after", async () => {
    const { kube, state } = fakeCluster(running);
    const w = watchRouter(kube, "ns", { pod: { name: "tp-router-web", uid: "u1" } }, 5);
    const seen = settled(w.lost);
    await until(() => state.reads >= 1);
    w.stop();
    state.pod = undefined;
    const reads = state.reads;
    await new Promise((r) => setTimeout(r, 50));
    expect(seen.error).toBeUndefined();
    expect(state.reads).toBeLessThanOrEqual(reads + 1);
  });

  it("fails when the shadow Service behind the router is deleted or replaced", async () => {
    const deleted = fakeCluster(running);
    const shadow = { name: "tp-orig-web", uid: "s1" };
    const a = settled(
      watchRouter(deleted.kube, "ns", { pod: { name: "tp-router-web", uid: "u1" }, shadow }, 5).lost,
    );
    const replaced = fakeCluster(running);
    const b = settled(
      watchRouter(replaced.kube, "ns", { pod: { name: "tp-router-web", uid: "u1" }, shadow }, 5).lost,
    );
    await until(() => deleted.state.reads >= 2 && replaced.state.reads >= 2);
    expect(a.error ?? b.error).toBeUndefined();
    deleted.state.shadowUid = undefined;
    replaced.state.shadowUid = "s2";
    await until(() => a.error !== undefined && b.error !== undefined);
    expect(a.error?.message).toMatch(/^the router's service ns\/tp-orig-web was deleted: the intercept ends/);
    expect(b.error?.message).toMatch(/^the router's service ns\/tp-orig-web was replaced:/);
  });
});
