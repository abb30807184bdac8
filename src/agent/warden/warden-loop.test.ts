import { ApiException } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../clock.js";
import type { Kube } from "../../kube/kube.js";
import type { WardenPlan } from "../../contract/warden-plan.js";
import { runWarden } from "./warden-loop.js";

const plan: WardenPlan = {
  sessionId: "abc",
  namespace: "ns",
  lease: "tp-session-abc",
  deleteDeployments: [],
  deleteServices: [],
  deletePods: ["tp-abc-proxy"],
  self: { pod: "w", serviceAccount: "w", role: "w", roleBinding: "w" },
};

/** A cluster holding the session's Lease (renewTime set by the test) and its proxy pod. */
function fakeCluster() {
  const done: string[] = [];
  const lease: { renewTime?: string; gone: boolean } = { renewTime: "t0", gone: false };
  const notFound = () => new ApiException(404, "Not Found", "{}", {});
  const kube = {
    namespace: "ns",
    coordination: {
      readNamespacedLease: async () => {
        if (lease.gone) throw notFound();
        return { spec: { renewTime: lease.renewTime, leaseDurationSeconds: 30 } };
      },
      deleteNamespacedLease: async () => (done.push("lease deleted"), {}),
    },
    core: {
      deleteNamespacedPod: async ({ name }: { name: string }) => (done.push(`pod ${name} deleted`), {}),
    },
  } as unknown as Kube;
  return { kube, lease, done };
}

describe("runWarden", () => {
  it("undoes the session once the lease's renewTime has not moved for its 30 s", async () => {
    const clock = new ManualClock();
    const { kube, done } = fakeCluster();
    const finished = runWarden(kube, plan, () => undefined, 2_000, clock);
    await clock.advance(30_000);
    expect(done).toEqual([]);
    await clock.advance(2_000);
    await finished;
    expect(done).toEqual(["pod tp-abc-proxy deleted", "lease deleted"]);
  });

  it("leaves the session alone while the lease is renewed", async () => {
    const clock = new ManualClock();
    const { kube, lease, done } = fakeCluster();
    void runWarden(kube, plan, () => undefined, 2_000, clock);
    // Renewed every 5 s for two minutes; the warden polls every 2 s.
    for (let i = 1; i <= 24; i++) {
      lease.renewTime = `t${i}`;
      await clock.advance(5_000);
    }
    expect(done).toEqual([]);
    // The renewals stop (the CLI was killed). The last one was seen at 116 s: at 146 s it has not
    // moved for 30 s, and at the poll after that the session is undone.
    await clock.advance(26_000);
    expect(done).toEqual([]);
    await clock.advance(2_000);
    expect(done).toEqual(["pod tp-abc-proxy deleted", "lease deleted"]);
  });

  it("undoes the session at once when the lease is gone", async () => {
    const clock = new ManualClock();
    const { kube, lease, done } = fakeCluster();
    lease.gone = true;
    await runWarden(kube, plan, () => undefined, 2_000, clock);
    expect(done).toEqual(["pod tp-abc-proxy deleted", "lease deleted"]);
  });
});
