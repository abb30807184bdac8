import { ApiException, type V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { Kube } from "../kube/kube.js";
import type { RemoteEnd } from "../kube/remote-end.js";
import { watchedProxy } from "./workload.js";

/** A cluster whose proxy pod is `state.pod` (undefined: 404), counting its reads. */
function cluster(pod: V1Pod | undefined) {
  const state = { pod, reads: 0 };
  const kube = {
    namespace: "ns",
    core: {
      readNamespacedPod: async () => {
        state.reads++;
        if (!state.pod) throw new ApiException(404, "not found", { message: "pods not found" }, {});
        return state.pod;
      },
    },
  } as unknown as Kube;
  return { kube, state };
}

const runs: V1Pod = { metadata: { name: "web-tp-1" }, status: { phase: "Running" } };
const going: V1Pod = { ...runs, metadata: { name: "web-tp-1", deletionTimestamp: new Date() } };

/** A swapped workload's cluster end whose agent runs; `took` counts its take-overs. */
function remote() {
  const calls = { took: 0, restored: 0 };
  const end: RemoteEnd = {
    namespace: "ns",
    pod: "web-tp-1",
    container: "agent",
    description: "deployment ns/web (swapped)",
    running: Promise.resolve(),
    ready: Promise.resolve(),
    takeOver: async () => void calls.took++,
    restore: async () => (calls.restored++, ["restored"]),
  };
  return { end, calls };
}

describe("watchedProxy", () => {
  it("takes nothing over from a proxy pod being deleted, and the session is lost at once", async () => {
    const { kube } = cluster(going);
    const { end, calls } = remote();
    const watched = watchedProxy(kube, end);
    const lost = watched.lost?.catch((err: Error) => err.message);
    await watched.takeOver?.();
    expect(calls.took).toBe(0);
    expect(await lost).toBe("the proxy pod ns/web-tp-1 is being deleted");
    await watched.restore();
  });

  it("looks once the proxy is Ready: a pod deleted while the take-over waits for that is not taken", async () => {
    const { kube, state } = cluster(runs);
    const { end, calls } = remote();
    let ready: () => void = () => undefined;
    const watched = watchedProxy(kube, { ...end, ready: new Promise<void>((r) => (ready = r)) });
    const lost = watched.lost?.catch((err: Error) => err.message);
    const taking = watched.takeOver?.();
    await new Promise((r) => setTimeout(r, 10));
    state.pod = going;
    ready();
    await taking;
    expect(calls.took).toBe(0);
    expect(await lost).toBe("the proxy pod ns/web-tp-1 is being deleted");
    await watched.restore();
  });

  it("takes over from a proxy pod that runs", async () => {
    const { kube, state } = cluster(runs);
    const { end, calls } = remote();
    const watched = watchedProxy(kube, end);
    await watched.takeOver?.();
    expect(calls.took).toBe(1);
    expect(state.reads).toBeGreaterThan(0);
    expect(await watched.restore()).toEqual(["restored"]);
  });

  it("its own undo's deletion of the pod is no loss, and nothing is taken over after it", async () => {
    const { kube, state } = cluster(runs);
    const { end, calls } = remote();
    const watched = watchedProxy(kube, end, 5);
    let lost: Error | undefined;
    watched.lost?.catch((err: Error) => (lost = err));
    await new Promise((r) => setTimeout(r, 20));
    await watched.restore();
    const reads = state.reads;
    state.pod = undefined;
    await watched.takeOver?.();
    await new Promise((r) => setTimeout(r, 30));
    expect(calls).toEqual({ took: 0, restored: 1 });
    expect(reads).toBeGreaterThan(0);
    expect(state.reads).toBe(reads);
    expect(lost).toBeUndefined();
  });

  it("a proxy that never got Ready because it is going: no take-over, no error of the take-over", async () => {
    const { kube } = cluster(going);
    const { end, calls } = remote();
    const watched = watchedProxy(kube, {
      ...end,
      ready: Promise.reject(new Error("pod ns/web-tp-1 is being deleted")),
    });
    const lost = watched.lost?.catch((err: Error) => err.message);
    await watched.takeOver?.();
    expect(calls.took).toBe(0);
    expect(await lost).toBe("the proxy pod ns/web-tp-1 is being deleted");
    await watched.restore();
  });

  it("a loss found before anyone races the session's `lost` is no unhandled rejection", async () => {
    const unhandled: unknown[] = [];
    const seen = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", seen);
    try {
      const { kube } = cluster(going);
      const { end } = remote();
      // As an intercept's router watch gives it: a rejection its maker handles.
      const routerLost = Promise.reject(new Error("router deleted"));
      routerLost.catch(() => undefined);
      const watched = watchedProxy(kube, { ...end, lost: routerLost }, 5);
      await new Promise((r) => setTimeout(r, 50));
      expect(unhandled).toEqual([]);
      await watched.restore();
    } finally {
      process.off("unhandledRejection", seen);
    }
  });

  it("keeps the cluster end's own loss (an intercept's router)", async () => {
    const { kube } = cluster(runs);
    const { end } = remote();
    const watched = watchedProxy(kube, { ...end, lost: Promise.reject(new Error("router deleted")) });
    await expect(watched.lost).rejects.toThrow("router deleted");
    await watched.restore();
  });
});
