// The status of PodDisruptionBudgets, as kube-controller-manager's disruption controller keeps it
// (pkg/controller/disruption): the pods the budget selects, how many of them must stay healthy,
// how many are, and so how many may be disrupted, which the eviction subresource reads.
import { isDeepStrictEqual } from "node:util";
import {
  isJsonObject,
  kubeNow,
  type JsonObject,
  type KubeObject,
  asObject as obj,
} from "../../shared/kube-object.js";
import { resourceByPlural } from "../resource-table.js";
import type { Registry } from "../registry/registry.js";
import { matchesSelector, type LabelSelectorObject } from "../selectors/label-selector.js";
import type { StoreEvent } from "../store/object-store.js";
import { isPodReady } from "./pod-conditions.js";
import { WorkQueue, nsKey, splitKey } from "./work-queue.js";

const pdbDef = resourceByPlural("policy", "poddisruptionbudgets");
const podDef = resourceByPlural("", "pods");
const rsDef = resourceByPlural("apps", "replicasets");
const deploymentDef = resourceByPlural("apps", "deployments");
const stsDef = resourceByPlural("apps", "statefulsets");

/** An int-or-percent against a total, rounded up (intstr.GetScaledValueFromIntOrPercent). */
function scaled(v: unknown, total: number): number {
  if (typeof v === "number") return v;
  const m = /^(\d+)%$/.exec(String(v));
  return m ? Math.ceil((Number(m[1]) * total) / 100) : Number(v) || 0;
}

export class DisruptionController {
  readonly queue: WorkQueue;

  constructor(private readonly registry: Registry) {
    this.queue = new WorkQueue("disruption-controller", (k) => this.sync(k));
  }

  onEvent(e: StoreEvent): void {
    const ns = e.object.metadata.namespace;
    if (e.resource === "policy/poddisruptionbudgets" && e.type !== "DELETED")
      this.queue.add(nsKey(ns, e.object.metadata.name ?? ""));
    if (["/pods", "apps/deployments", "apps/replicasets", "apps/statefulsets"].includes(e.resource))
      for (const pdb of this.registry.list(pdbDef, ns)) this.queue.add(nsKey(ns, pdb.metadata.name ?? ""));
  }

  /**
   * The replicas of a pod's controller, keyed by it (a Deployment's for its ReplicaSets' pods); an
   * error text for a pod without a controller or whose controller has no scale found (the real
   * controller's, which make the budget fail safe).
   */
  private scaleOf(pod: KubeObject): [string, number] | string {
    const ns = pod.metadata.namespace;
    const name = pod.metadata.name ?? "";
    const ref = (pod.metadata.ownerReferences ?? []).find((r) => r.controller);
    if (!ref) return `found no controller ref for pod "${name}"`;
    const replicas = (o: KubeObject) => Number(obj(o.spec).replicas ?? 1);
    if (ref.kind === "ReplicaSet") {
      const rs = this.registry.find(rsDef, ns, ref.name);
      const owner = (rs?.metadata.ownerReferences ?? []).find((r) => r.controller && r.kind === "Deployment");
      const d = owner && this.registry.find(deploymentDef, ns, owner.name);
      if (d) return [`Deployment/${owner.name}`, replicas(d)];
      if (rs && !owner) return [`ReplicaSet/${ref.name}`, replicas(rs)];
    }
    if (ref.kind === "StatefulSet") {
      const sts = this.registry.find(stsDef, ns, ref.name);
      if (sts) return [`StatefulSet/${ref.name}`, replicas(sts)];
    }
    return `found no controllers for pod "${name}"`;
  }

  sync(key: string): void {
    const [ns, name] = splitKey(key);
    const pdb = this.registry.find(pdbDef, ns, name);
    if (!pdb || pdb.metadata.deletionTimestamp) return;
    const spec = obj(pdb.spec);
    // policy/v1: an empty selector selects every pod of the namespace, a missing one none.
    const pods = isJsonObject(spec.selector)
      ? this.registry
          .list(podDef, ns)
          .filter((p) => matchesSelector(spec.selector as LabelSelectorObject, p.metadata.labels))
      : [];
    let expected = pods.length;
    let desired = 0;
    let failed: string | undefined;
    if (
      spec.maxUnavailable !== undefined ||
      (typeof spec.minAvailable === "string" && spec.minAvailable.endsWith("%"))
    ) {
      // Against the scale of the pods' controllers (each counted once).
      const scales = new Map<string, number>();
      for (const p of pods) {
        const scale = this.scaleOf(p);
        if (typeof scale === "string") failed ??= scale;
        else scales.set(...scale);
      }
      expected = [...scales.values()].reduce((a, b) => a + b, 0);
      desired =
        spec.maxUnavailable !== undefined
          ? Math.max(0, expected - scaled(spec.maxUnavailable, expected))
          : scaled(spec.minAvailable, expected);
    } else if (spec.minAvailable !== undefined) desired = scaled(spec.minAvailable, expected);
    // Pods an eviction took lately stay out of the healthy count until they are being deleted, for
    // at most 2 minutes (the real controller's DeletionTimeout).
    const disrupted: JsonObject = {};
    for (const [pod, at] of Object.entries(obj(obj(pdb.status).disruptedPods))) {
      const p = pods.find((x) => x.metadata.name === pod);
      if (p && !p.metadata.deletionTimestamp && Date.parse(String(at)) + 120_000 > Date.now())
        disrupted[pod] = at;
    }
    const healthy = pods.filter(
      (p) =>
        !p.metadata.deletionTimestamp && !Object.hasOwn(disrupted, p.metadata.name ?? "") && isPodReady(p),
    ).length;
    const allowed = failed || expected <= 0 ? 0 : Math.max(0, healthy - desired);
    const old = obj(pdb.status);
    const condition = {
      type: "DisruptionAllowed",
      status: allowed > 0 ? "True" : "False",
      reason: failed ? "SyncFailed" : allowed > 0 ? "SufficientPods" : "InsufficientPods",
      message: failed ?? "",
      observedGeneration: pdb.metadata.generation ?? 1,
    };
    const was = (Array.isArray(old.conditions) ? old.conditions.filter(isJsonObject) : []).find(
      (c) => c.type === "DisruptionAllowed",
    );
    const same =
      old.observedGeneration === pdb.metadata.generation &&
      old.expectedPods === expected &&
      old.desiredHealthy === desired &&
      old.currentHealthy === healthy &&
      old.disruptionsAllowed === allowed &&
      isDeepStrictEqual(obj(old.disruptedPods), disrupted) &&
      was?.status === condition.status &&
      was?.reason === condition.reason;
    if (same) return;
    this.registry.mutate(
      pdbDef,
      ns,
      name,
      (o) => {
        o.status = {
          observedGeneration: pdb.metadata.generation ?? 1,
          disruptionsAllowed: allowed,
          currentHealthy: healthy,
          desiredHealthy: desired,
          expectedPods: expected,
          ...(Object.keys(disrupted).length ? { disruptedPods: disrupted } : {}),
          conditions: [
            {
              ...condition,
              lastTransitionTime: was?.status === condition.status ? was.lastTransitionTime : kubeNow(),
            },
          ],
        };
      },
      "status",
    );
  }
}
