import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../shared/kube-object.js";
import { ApiError } from "../http/api-error.js";
import { defs, quotaCluster } from "../quota/quota-testing.js";
import type { Registry } from "../registry/registry.js";
import { resourceByPlural } from "../resource-table.js";
import { EventRecorder } from "./event-recorder.js";
import { ReplicaSetController } from "./replicaset-controller.js";
import { StatefulSetController } from "./statefulset-controller.js";

const template = {
  metadata: { labels: { app: "web" } },
  spec: { containers: [{ name: "c", image: "i" }] },
};
const spec = { replicas: 2, selector: { matchLabels: { app: "web" } }, template };

function limitedTo(pods: string): Registry {
  const reg = quotaCluster();
  reg.create(defs.quotas, "ns", { metadata: { name: "q" }, spec: { hard: { pods } } });
  return reg;
}

function refusal(sync: () => void): string {
  try {
    sync();
  } catch (err) {
    if (err instanceof ApiError) return err.message;
    throw err;
  }
  return "no refusal";
}

const events = (reg: Registry, reason: string) =>
  reg
    .list(defs.events, "ns")
    .filter((e) => e.reason === reason)
    .map((e) => String(e.message));

describe("workload controllers under a quota", () => {
  it("a ReplicaSet reports a refused pod and creates it once the quota has room", () => {
    const reg = limitedTo("1");
    const rsDef = resourceByPlural("apps", "replicasets");
    reg.create(rsDef, "ns", { metadata: { name: "web" }, spec });
    const rc = new ReplicaSetController(reg, new EventRecorder(reg, "replicaset-controller"));
    const refused =
      'pods "web-" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1';
    expect(refusal(() => rc.sync("ns/web"))).toBe(refused);
    expect(reg.list(defs.pods, "ns")).toHaveLength(1);
    expect(events(reg, "FailedCreate")).toEqual([`Error creating: ${refused}`]);
    const status = reg.get(rsDef, "ns", "web").status as JsonObject;
    expect(status.replicas).toBe(1);
    expect(status.conditions).toMatchObject([
      { type: "ReplicaFailure", status: "True", reason: "FailedCreate", message: refused },
    ]);
    reg.mutate(defs.quotas, "ns", "q", (q) => (q.spec = { hard: { pods: "2" } }));
    expect(refusal(() => rc.sync("ns/web"))).toBe("no refusal");
    expect(reg.list(defs.pods, "ns")).toHaveLength(2);
    expect((reg.get(rsDef, "ns", "web").status as JsonObject).conditions).toBeUndefined();
  });

  it("a StatefulSet reports a refused pod and creates it once the quota has room", () => {
    const reg = limitedTo("1");
    const stsDef = resourceByPlural("apps", "statefulsets");
    reg.create(stsDef, "ns", {
      metadata: { name: "db" },
      spec: { ...spec, podManagementPolicy: "Parallel" },
    });
    const sc = new StatefulSetController(reg, new EventRecorder(reg, "statefulset-controller"));
    const refused =
      'pods "db-1" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1';
    expect(refusal(() => sc.sync("ns/db"))).toBe(refused);
    expect(events(reg, "FailedCreate")).toEqual([
      `create Pod db-1 in StatefulSet db failed error: ${refused}`,
    ]);
    expect((reg.get(stsDef, "ns", "db").status as JsonObject).replicas).toBe(1);
    reg.mutate(defs.quotas, "ns", "q", (q) => (q.spec = { hard: { pods: "2" } }));
    expect(refusal(() => sc.sync("ns/db"))).toBe("no refusal");
    expect(reg.list(defs.pods, "ns").map((p) => p.metadata.name)).toEqual(["db-0", "db-1"]);
  });
});
