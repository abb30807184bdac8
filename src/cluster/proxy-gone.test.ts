import { ApiException, type V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { Kube } from "../kube/kube.js";
import { proxyGone } from "./proxy-gone.js";

/** A cluster whose only pod is `pod` (undefined: 404; an Error: the API does not answer). */
const cluster = (pod: V1Pod | undefined | Error) =>
  ({
    namespace: "ns",
    core: {
      readNamespacedPod: async () => {
        if (pod instanceof Error) throw pod;
        if (!pod) throw new ApiException(404, "not found", { message: "pods not found" }, {});
        return pod;
      },
    },
  }) as unknown as Kube;
const remote = { namespace: "ns", pod: "web-tp-1" };

describe("proxyGone", () => {
  it("names a pod that was deleted, or is being deleted", async () => {
    expect(await proxyGone(cluster(undefined), remote)).toBe("the proxy pod ns/web-tp-1 was deleted");
    const deleting = {
      metadata: { name: "web-tp-1", deletionTimestamp: new Date() },
      status: { phase: "Running" },
    };
    expect(await proxyGone(cluster(deleting), remote)).toBe("the proxy pod ns/web-tp-1 is being deleted");
  });

  it("names a pod that ended", async () => {
    const failed: V1Pod = { metadata: { name: "web-tp-1" }, status: { phase: "Failed", reason: "Evicted" } };
    expect(await proxyGone(cluster(failed), remote)).toMatch(/Evicted/);
  });

  it("gives no reason while the pod runs, nor when the cluster does not answer", async () => {
    expect(
      await proxyGone(cluster({ metadata: { name: "web-tp-1" }, status: { phase: "Running" } }), remote),
    ).toBe(undefined);
    const down = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    expect(await proxyGone(cluster(down), remote)).toBe(undefined);
  });

  it("onlyContainer: a crash-looping container of the workload's is not the agent's loss; the agent's is", async () => {
    const crashing = (name: string): V1Pod => ({
      metadata: { name: "web-tp-1" },
      status: {
        phase: "Running",
        containerStatuses: [
          {
            name,
            ready: false,
            restartCount: 5,
            image: "x",
            imageID: "",
            state: { waiting: { reason: "CrashLoopBackOff" } },
          },
        ],
      },
    });
    expect(await proxyGone(cluster(crashing("metrics")), remote, "tp-agent")).toBe(undefined);
    expect(await proxyGone(cluster(crashing("metrics")), remote)).toMatch(
      /container metrics .*CrashLoopBackOff/,
    );
    expect(await proxyGone(cluster(crashing("tp-agent")), remote, "tp-agent")).toMatch(
      /container tp-agent .*CrashLoopBackOff/,
    );
  });
});
