import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Kube } from "../kube/kube.js";
import { deletePod, waitForPodGone } from "../kube/pods.js";
import { waitForWorkloadReady } from "../kube/restore.js";
import { giveTrafficBack } from "./give-traffic-back.js";

vi.mock("../kube/pods.js", () => ({ deletePod: vi.fn(), waitForPodGone: vi.fn() }));
vi.mock("../kube/restore.js", () => ({ restoreReadyMs: { cli: 30_000 }, waitForWorkloadReady: vi.fn() }));

const events: string[] = [];
const step = (text: string) => {
  events.push(`step ${text}`);
  return (done?: string) => void events.push(`done ${done ?? text}`);
};
const warn = (text: string) => void events.push(`warn ${text}`);
const base = {
  kube: {} as Kube,
  namespace: "team",
  ref: { group: "apps", version: "v1", resource: "deployments", kind: "Deployment", name: "web" },
  proxy: "web-tp-1",
  step,
  warn,
};

beforeEach(() => {
  events.length = 0;
  vi.mocked(deletePod).mockReset();
  vi.mocked(waitForPodGone).mockReset();
  vi.mocked(waitForWorkloadReady).mockReset();
  vi.mocked(deletePod).mockImplementation(async (_k, _ns, name, grace) => {
    events.push(`delete ${name} grace ${grace ?? "default"}`);
    return true;
  });
  vi.mocked(waitForPodGone).mockImplementation(async () => void events.push("gone"));
});

describe("giveTrafficBack", () => {
  it("shows the wait for the workload's pods, then deletes the Ready proxy with room to drain and waits until it is gone", async () => {
    vi.mocked(waitForWorkloadReady).mockImplementation(async () => (events.push("ready"), true));
    expect(await giveTrafficBack({ ...base, replicas: 2, proxyWasReady: true })).toEqual([
      "proxy pod team/web-tp-1 deleted",
    ]);
    expect(events).toEqual([
      "step waiting for deployment team/web to be Ready before the proxy goes",
      "ready",
      "done deployment team/web is Ready",
      "delete web-tp-1 grace 10",
      "step proxy pod web-tp-1 serves on until connections stop reaching it",
      "gone",
      "done proxy pod web-tp-1 gone",
    ]);
  });

  it("says so when the pods are not Ready in time, and the proxy still goes", async () => {
    vi.mocked(waitForWorkloadReady).mockResolvedValue(false);
    await giveTrafficBack({ ...base, replicas: 2, proxyWasReady: true });
    expect(events).toContain("done deployment team/web: not all of its pods seen Ready");
    expect(events.find((e) => e.startsWith("warn"))).toMatch(
      /^warn not all of the 2 pods of deployment team\/web were seen Ready \(waited up to 30 s\): the proxy goes now/,
    );
    expect(events).toContain("delete web-tp-1 grace 10");
  });

  it("says when the proxy is still terminating after its grace, and waits for nothing already gone", async () => {
    vi.mocked(waitForWorkloadReady).mockResolvedValue(true);
    vi.mocked(waitForPodGone).mockRejectedValueOnce(new Error("timed out"));
    await giveTrafficBack({ ...base, replicas: 1, proxyWasReady: true });
    expect(events).toContain("done proxy pod web-tp-1 still terminating");
    events.length = 0;
    vi.mocked(deletePod).mockResolvedValue(false);
    expect(await giveTrafficBack({ ...base, replicas: 0, proxyWasReady: true })).toEqual([]);
    expect(events).toEqual([]);
    expect(waitForPodGone).toHaveBeenCalledTimes(1);
  });

  it("deletes a proxy that was never Ready at once, and a workload of 0 has nothing to wait for", async () => {
    expect(await giveTrafficBack({ ...base, replicas: 0, proxyWasReady: false })).toEqual([
      "proxy pod team/web-tp-1 deleted",
    ]);
    expect(events).toEqual(["delete web-tp-1 grace default"]);
    expect(waitForWorkloadReady).not.toHaveBeenCalled();
  });

  it("does not wait for the workload's pods when the proxy never took traffic (a session that failed at its start)", async () => {
    vi.mocked(waitForWorkloadReady).mockResolvedValue(false);
    expect(await giveTrafficBack({ ...base, replicas: 1, proxyWasReady: false })).toEqual([
      "proxy pod team/web-tp-1 deleted",
    ]);
    expect(events).toEqual(["delete web-tp-1 grace default"]);
    expect(waitForWorkloadReady).not.toHaveBeenCalled();
  });
});
