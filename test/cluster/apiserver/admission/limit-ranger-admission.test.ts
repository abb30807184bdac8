import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../shared/kube-object.js";
import type { Registry } from "../registry/registry.js";
import { defs, outcome, podWith, quotaCluster } from "../quota/quota-testing.js";

function withLimits(limits: object[]): Registry {
  const reg = quotaCluster();
  reg.create(defs.limitRanges, "ns", { metadata: { name: "lr" }, spec: { limits } });
  return reg;
}

const containerBounds = {
  type: "Container",
  max: { memory: "128Mi", cpu: "1" },
  min: { cpu: "100m" },
  defaultRequest: { memory: "64Mi" },
};

function stored(reg: Registry, name: string): KubeObject {
  return reg.get(defs.pods, "ns", name);
}

describe("LimitRange and the LimitRanger admission plugin", () => {
  it("a Container item defaults default from max, defaultRequest from default, else from min", () => {
    const reg = withLimits([containerBounds, { type: "Pod", max: { memory: "1Gi" } }]);
    const lr = reg.get(defs.limitRanges, "ns", "lr");
    expect(lr.spec).toEqual({
      limits: [
        {
          ...containerBounds,
          default: { cpu: "1", memory: "128Mi" },
          defaultRequest: { cpu: "1", memory: "64Mi" },
        },
        { type: "Pod", max: { memory: "1Gi" } },
      ],
    });
    const minOnly = withLimits([{ type: "Container", min: { cpu: "0.25" } }]).get(
      defs.limitRanges,
      "ns",
      "lr",
    );
    expect(minOnly.spec).toEqual({
      limits: [{ type: "Container", min: { cpu: "250m" }, defaultRequest: { cpu: "250m" } }],
    });
  });

  it("refuses a LimitRange whose bounds contradict each other", () => {
    const reg = quotaCluster();
    const bad = {
      metadata: { name: "bad" },
      spec: { limits: [{ type: "Container", min: { cpu: "2" }, max: { cpu: "1" } }] },
    };
    expect(outcome(reg, bad, defs.limitRanges)).toContain(
      '422 LimitRange "bad" is invalid: [spec.limits[0].min[cpu]: Invalid value: "2": min value 2 is greater than max value 1,',
    );
  });

  it("fills a pod's missing requests and limits and says so in an annotation", () => {
    const reg = withLimits([containerBounds]);
    expect(outcome(reg, podWith("p"))).toBe("admitted");
    const pod = stored(reg, "p");
    const c = (pod.spec as { containers: { resources: object }[] }).containers[0]!;
    expect(c.resources).toEqual({
      requests: { cpu: "1", memory: "64Mi" },
      limits: { cpu: "1", memory: "128Mi" },
    });
    expect(pod.metadata.annotations?.["kubernetes.io/limit-ranger"]).toBe(
      "LimitRanger plugin set: cpu, memory request for container c; cpu, memory limit for container c",
    );
  });

  it("a limit without a request requests the limit before LimitRanger looks (SetDefaults_Pod)", () => {
    const reg = withLimits([containerBounds]);
    expect(outcome(reg, podWith("p", { limits: { memory: "100Mi" } }))).toBe("admitted");
    const c = (stored(reg, "p").spec as { containers: { resources: object }[] }).containers[0]!;
    // memory's request is the limit, not the LimitRange's 64Mi.
    expect(c.resources).toEqual({
      requests: { cpu: "1", memory: "100Mi" },
      limits: { cpu: "1", memory: "100Mi" },
    });
  });

  it("refuses a container over max, under min, or past the ratio, with the real messages", () => {
    const reg = withLimits([containerBounds]);
    expect(outcome(reg, podWith("x", { limits: { memory: "256Mi" } }))).toBe(
      '403 pods "x" is forbidden: maximum memory usage per Container is 128Mi, but limit is 256Mi',
    );
    expect(outcome(reg, podWith("y", { limits: { cpu: "2", memory: "256Mi" } }))).toBe(
      '403 pods "y" is forbidden: [maximum cpu usage per Container is 1, but limit is 2, maximum memory usage per Container is 128Mi, but limit is 256Mi]',
    );
    expect(outcome(reg, podWith("z", { requests: { cpu: "50m" }, limits: { cpu: "500m" } }))).toBe(
      '403 pods "z" is forbidden: minimum cpu usage per Container is 100m, but request is 50m',
    );
    const ratio = withLimits([{ type: "Container", maxLimitRequestRatio: { cpu: "2" } }]);
    expect(outcome(ratio, podWith("r", { requests: { cpu: "100m" }, limits: { cpu: "500m" } }))).toBe(
      '403 pods "r" is forbidden: cpu max limit to request ratio per Container is 2, but provided ratio is 5.000000',
    );
    expect(outcome(ratio, podWith("n"))).toBe(
      '403 pods "n" is forbidden: cpu max limit to request ratio per Container is 2, but no request is specified or request is 0',
    );
  });

  it("holds init containers to the Container bounds and the pod's sum to the Pod bounds", () => {
    const reg = withLimits([{ type: "Pod", max: { memory: "100Mi" } }]);
    const two = {
      metadata: { name: "two" },
      spec: {
        containers: [
          { name: "a", image: "i", resources: { limits: { memory: "60Mi" } } },
          { name: "b", image: "i", resources: { limits: { memory: "60Mi" } } },
        ],
      },
    };
    expect(outcome(reg, two)).toBe(
      '403 pods "two" is forbidden: maximum memory usage per Pod is 100Mi, but limit is 120Mi',
    );
    expect(outcome(reg, podWith("none"))).toBe(
      '403 pods "none" is forbidden: maximum memory usage per Pod is 100Mi.  No limit is specified',
    );
    const init = withLimits([containerBounds]);
    const pod = podWith(
      "i",
      {},
      { initContainers: [{ name: "setup", image: "i", resources: { limits: { cpu: "3" } } }] },
    );
    expect(outcome(init, pod)).toBe(
      '403 pods "i" is forbidden: maximum cpu usage per Container is 1, but limit is 3',
    );
  });

  it("holds a claim's storage request to the PersistentVolumeClaim bounds; generateName names the refusal", () => {
    const reg = withLimits([{ type: "PersistentVolumeClaim", max: { storage: "1Gi" } }]);
    const claim = {
      metadata: { generateName: "data-" },
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "2Gi" } } },
    };
    expect(outcome(reg, claim, defs.claims)).toBe(
      '403 persistentvolumeclaims "data-" is forbidden: maximum storage usage per PersistentVolumeClaim is 1Gi, but request is 2Gi',
    );
  });
});
