import { beforeEach, describe, expect, it, vi } from "vitest";
import { Annotations } from "../contract/cluster-labels.js";
import type { Kube } from "./kube.js";
import { restoreWorkload } from "./restore.js";
import { patchWorkload, readReplicas, readWorkload, scaleWorkload } from "./workload-api.js";

vi.mock("./workload-api.js", () => ({
  patchWorkload: vi.fn(),
  readReplicas: vi.fn(),
  readWorkload: vi.fn(),
  scaleWorkload: vi.fn(),
}));

const ref = { group: "apps", version: "v1", resource: "deployments", kind: "Deployment", name: "web" };

/** A workload of the session s1 with these annotations of tp's and this many replicas now. */
function workload(annotations: Record<string, string>, replicas: number) {
  vi.mocked(readWorkload).mockResolvedValue({
    metadata: { annotations: { [Annotations.session]: "s1", ...annotations } },
  } as never);
  vi.mocked(readReplicas).mockResolvedValue(replicas);
}

beforeEach(() => {
  vi.mocked(scaleWorkload).mockReset();
  vi.mocked(patchWorkload).mockReset();
});

describe("restoreWorkload", () => {
  it("scales back what the session scaled, and says it had", async () => {
    workload({ [Annotations.originalReplicas]: "2", [Annotations.scaledTo]: "0" }, 0);
    expect(await restoreWorkload({} as Kube, "team", ref, "s1")).toEqual({
      text: "deployment team/web restored to 2 replicas",
      replicas: 2,
      scaled: true,
    });
    expect(scaleWorkload).toHaveBeenCalledWith({}, "team", ref, 2);
  });

  it("says a workload the session never scaled was not (its pods never went: nothing to wait for)", async () => {
    workload({ [Annotations.originalReplicas]: "1" }, 1);
    expect(await restoreWorkload({} as Kube, "team", ref, "s1")).toMatchObject({
      replicas: 1,
      scaled: false,
    });
    expect(scaleWorkload).not.toHaveBeenCalled();
    expect(patchWorkload).toHaveBeenCalledTimes(1);
  });

  it("leaves another session's workload alone", async () => {
    workload({ [Annotations.scaledTo]: "0" }, 0);
    expect(await restoreWorkload({} as Kube, "team", ref, "s2")).toBeUndefined();
    expect(patchWorkload).not.toHaveBeenCalled();
  });
});
