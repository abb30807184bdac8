import { describe, expect, it } from "vitest";
import { ResourceQuotaController } from "../controllers/resource-quota-controller.js";
import type { Registry } from "../registry/registry.js";
import { defs, outcome, podWith, quotaCluster, type TestClock } from "../quota/quota-testing.js";
import { resourceQuotaPrinter } from "../tables/quota-printers.js";

function withQuota(spec: object, clock?: TestClock): Registry {
  const reg = quotaCluster(clock);
  reg.create(defs.quotas, "ns", { metadata: { name: "q" }, spec });
  return reg;
}

const compute = { hard: { pods: "2", "requests.cpu": "1", "requests.memory": "128Mi" } };
const asking = (cpu: string, memory: string) => ({ requests: { cpu, memory } });

describe("the ResourceQuota admission plugin", () => {
  it("a quota on cpu or memory needs every container to state it (failed quota)", () => {
    const reg = withQuota(compute);
    expect(outcome(reg, podWith("x"))).toBe(
      '403 pods "x" is forbidden: failed quota: q: must specify requests.cpu for: c; requests.memory for: c',
    );
    const limits = withQuota({ hard: { "limits.cpu": "4", "requests.memory": "1Gi" } });
    const pod = {
      metadata: { name: "y" },
      spec: {
        initContainers: [{ name: "i", image: "i" }],
        containers: [
          { name: "c2", image: "i" },
          { name: "c1", image: "i", resources: { limits: { cpu: "1" } } },
        ],
      },
    };
    expect(outcome(limits, pod)).toBe(
      '403 pods "y" is forbidden: failed quota: q: must specify limits.cpu for: c2,i; requests.memory for: c1,c2,i',
    );
  });

  it("refuses what would exceed spec.hard, naming requested, used and limited", () => {
    const reg = withQuota(compute);
    expect(outcome(reg, podWith("a", asking("500m", "64Mi")))).toBe("admitted");
    expect(outcome(reg, podWith("b", asking("600m", "32Mi")))).toBe(
      '403 pods "b" is forbidden: exceeded quota: q, requested: requests.cpu=600m, used: requests.cpu=500m, limited: requests.cpu=1',
    );
    expect(outcome(reg, podWith("b", asking("0.25", "64Mi")))).toBe("admitted");
    expect(outcome(reg, podWith("c", asking("100m", "1Mi")))).toBe(
      '403 pods "c" is forbidden: exceeded quota: q, requested: pods=1,requests.memory=1Mi, used: pods=2,requests.memory=128Mi, limited: pods=2,requests.memory=128Mi',
    );
  });

  it("sees the LimitRange's defaults and the requests a limit implies", () => {
    const reg = withQuota({ hard: { "requests.memory": "100Mi", "limits.memory": "200Mi" } });
    reg.create(defs.limitRanges, "ns", {
      metadata: { name: "lr" },
      spec: {
        limits: [{ type: "Container", default: { memory: "128Mi" }, defaultRequest: { memory: "64Mi" } }],
      },
    });
    expect(outcome(reg, podWith("defaulted"))).toBe("admitted");
    expect(outcome(reg, podWith("limited", { limits: { memory: "50Mi" } }))).toBe(
      '403 pods "limited" is forbidden: exceeded quota: q, requested: requests.memory=50Mi, used: requests.memory=64Mi, limited: requests.memory=100Mi',
    );
  });

  it("counts a pod's requests as the larger of its containers' sum and its largest init container", () => {
    const reg = withQuota({ hard: { "requests.cpu": "1" } });
    const pod = podWith(
      "p",
      { requests: { cpu: "200m" } },
      {
        initContainers: [{ name: "init", image: "i", resources: { requests: { cpu: "1100m" } } }],
      },
    );
    expect(outcome(reg, pod)).toBe(
      '403 pods "p" is forbidden: exceeded quota: q, requested: requests.cpu=1100m, used: requests.cpu=0, limited: requests.cpu=1',
    );
  });

  it("leaves out Succeeded and Failed pods, and deleted ones once their grace has passed", () => {
    const clock = { now: Date.now() };
    const reg = withQuota({ hard: { pods: "1" } }, clock);
    expect(outcome(reg, podWith("done"))).toBe("admitted");
    const full =
      '403 pods "next" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1';
    expect(outcome(reg, podWith("next"))).toBe(full);
    reg.mutate(defs.pods, "ns", "done", (p) => (p.status = { phase: "Succeeded" }), "status");
    expect(outcome(reg, podWith("gone", {}, { nodeName: "node" }))).toBe("admitted");
    // A pod on a node waits for its grace: deletionTimestamp is now + 30 s, and it counts 30 s more.
    reg.delete(defs.pods, "ns", "gone", { gracePeriodSeconds: 30 });
    expect(outcome(reg, podWith("next"))).toBe(full);
    clock.now += 65_000;
    expect(outcome(reg, podWith("next"))).toBe("admitted");
  });

  it("a quota with scopes counts only the pods in all of them", () => {
    const reg = quotaCluster();
    const quota = (name: string, spec: object) => reg.create(defs.quotas, "ns", { metadata: { name }, spec });
    quota("best-effort", { hard: { pods: "1" }, scopes: ["BestEffort"] });
    quota("long-running", { hard: { pods: "1" }, scopes: ["NotTerminating", "NotBestEffort"] });
    quota("high", {
      hard: { pods: "1" },
      scopeSelector: { matchExpressions: [{ scopeName: "PriorityClass", operator: "In", values: ["high"] }] },
    });
    expect(outcome(reg, podWith("be1"))).toBe("admitted");
    expect(outcome(reg, podWith("be2"))).toContain("exceeded quota: best-effort, requested: pods=1");
    expect(outcome(reg, podWith("lr1", asking("1m", "1Mi")))).toBe("admitted");
    expect(outcome(reg, podWith("lr2", asking("1m", "1Mi")))).toContain("exceeded quota: long-running,");
    expect(outcome(reg, podWith("job", asking("1m", "1Mi"), { activeDeadlineSeconds: 60 }))).toBe("admitted");
    expect(
      outcome(
        reg,
        podWith("h1", asking("1m", "1Mi"), { activeDeadlineSeconds: 1, priorityClassName: "high" }),
      ),
    ).toBe("admitted");
    expect(
      outcome(
        reg,
        podWith("h2", asking("1m", "1Mi"), { activeDeadlineSeconds: 1, priorityClassName: "high" }),
      ),
    ).toContain("exceeded quota: high,");
  });

  it("counts other objects by count/RESOURCE and their older names", () => {
    const reg = withQuota({ hard: { "count/configmaps": "1", configmaps: "2" } });
    expect(outcome(reg, { metadata: { name: "a" } }, defs.configMaps)).toBe("admitted");
    expect(outcome(reg, { metadata: { name: "b" } }, defs.configMaps)).toBe(
      '403 configmaps "b" is forbidden: exceeded quota: q, requested: count/configmaps=1, used: count/configmaps=1, limited: count/configmaps=1',
    );
  });

  it("the controller keeps status.hard and status.used, which kubectl get shows", () => {
    const reg = withQuota({ hard: { ...compute.hard, "limits.memory": "1Gi" } });
    reg.create(defs.pods, "ns", podWith("a", { requests: { cpu: "500m" }, limits: { memory: "64Mi" } }));
    new ResourceQuotaController(reg).sync("ns");
    const q = reg.get(defs.quotas, "ns", "q");
    expect(q.status).toEqual({
      hard: { "limits.memory": "1Gi", pods: "2", "requests.cpu": "1", "requests.memory": "128Mi" },
      used: { "limits.memory": "64Mi", pods: "1", "requests.cpu": "500m", "requests.memory": "64Mi" },
    });
    expect(resourceQuotaPrinter.row(q).slice(2)).toEqual([
      "pods: 1/2, requests.cpu: 500m/1, requests.memory: 64Mi/128Mi",
      "limits.memory: 64Mi/1Gi",
    ]);
  });
});
