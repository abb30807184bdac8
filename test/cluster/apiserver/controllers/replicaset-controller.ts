import { isJsonObject, kubeNow, type JsonObject, type KubeObject } from "../../shared/kube-object.js";
import { ApiError } from "../http/api-error.js";
import { resourceByPlural } from "../resource-table.js";
import type { Registry } from "../registry/registry.js";
import { matchesSelector, type LabelSelectorObject } from "../selectors/label-selector.js";
import type { StoreEvent } from "../store/object-store.js";
import type { EventRecorder } from "./event-recorder.js";
import {
  controllerKeys,
  controllerOf,
  controllerRef,
  isPodActive,
  isPodAvailable,
  isPodReady,
  podPhase,
} from "./pod-conditions.js";
import { WorkQueue, nsKey, splitKey } from "./work-queue.js";

const rsDef = resourceByPlural("apps", "replicasets");
const podDef = resourceByPlural("", "pods");

/** Which pods to delete first when scaling down (controller.ActivePods ordering, simplified). */
function deletionRank(pod: KubeObject): number {
  const spec = isJsonObject(pod.spec) ? pod.spec : {};
  if (!spec.nodeName) return 0;
  if (podPhase(pod) === "Pending") return 1;
  if (!isPodReady(pod)) return 2;
  return 3;
}

/** status.conditions with ReplicaFailure set while pods cannot be created (kept as first set). */
function replicaFailure(rs: KubeObject, failure: string | undefined): JsonObject[] {
  const old = isJsonObject(rs.status) && Array.isArray(rs.status.conditions) ? rs.status.conditions : [];
  const others = old.filter((c): c is JsonObject => isJsonObject(c) && c.type !== "ReplicaFailure");
  if (!failure) return others;
  const prev = old.find((c): c is JsonObject => isJsonObject(c) && c.type === "ReplicaFailure");
  const cond = prev ?? {
    type: "ReplicaFailure",
    status: "True",
    lastTransitionTime: kubeNow(),
    reason: "FailedCreate",
    message: failure,
  };
  return [...others, cond];
}

/** Keeps the number of pods of each ReplicaSet at spec.replicas and reports their state. */
export class ReplicaSetController {
  readonly queue: WorkQueue;

  constructor(
    private readonly registry: Registry,
    private readonly events: EventRecorder,
  ) {
    this.queue = new WorkQueue("replicaset-controller", (k) => this.sync(k));
  }

  onEvent(e: StoreEvent): void {
    if (e.resource === "apps/replicasets")
      this.queue.add(nsKey(e.object.metadata.namespace, e.object.metadata.name ?? ""));
    if (e.resource === "/pods")
      for (const k of controllerKeys(e.object, e.old, "ReplicaSet")) this.queue.add(k);
  }

  private podsOf(rs: KubeObject): KubeObject[] {
    return this.registry
      .list(podDef, rs.metadata.namespace)
      .filter((p) => controllerOf(p)?.uid === rs.metadata.uid);
  }

  private adopt(rs: KubeObject, selector: LabelSelectorObject): void {
    for (const p of this.registry.list(podDef, rs.metadata.namespace)) {
      if (controllerOf(p) || !isPodActive(p) || !matchesSelector(selector, p.metadata.labels)) continue;
      this.registry.mutate(podDef, p.metadata.namespace, p.metadata.name ?? "", (o) => {
        o.metadata.ownerReferences = [...(o.metadata.ownerReferences ?? []), controllerRef(rs, rsDef)];
      });
    }
  }

  sync(key: string): void {
    const [ns, name] = splitKey(key);
    const rs = this.registry.find(rsDef, ns, name);
    if (!rs || rs.metadata.deletionTimestamp) return;
    const spec = rs.spec as JsonObject;
    const selector = (spec.selector ?? {}) as LabelSelectorObject;
    this.adopt(rs, selector);
    const all = this.podsOf(rs);
    const active = all.filter(isPodActive);
    const want = typeof spec.replicas === "number" ? spec.replicas : 1;
    let failure: ApiError | undefined;
    if (active.length < want) {
      const template = isJsonObject(spec.template) ? spec.template : {};
      const tmeta = isJsonObject(template.metadata) ? template.metadata : {};
      for (let i = active.length; i < want && !failure; i++) {
        try {
          const pod = this.registry.create(podDef, ns, {
            metadata: {
              generateName: `${name}-`,
              namespace: ns,
              labels: { ...((tmeta.labels as Record<string, string>) ?? {}) },
              annotations: tmeta.annotations
                ? { ...(tmeta.annotations as Record<string, string>) }
                : undefined,
              ownerReferences: [controllerRef(rs, rsDef)],
            },
            spec: structuredClone(template.spec ?? {}),
          });
          this.events.record(rs, "Normal", "SuccessfulCreate", `Created pod: ${pod.metadata.name}`);
        } catch (err) {
          // Admission refused the pod (a quota, a LimitRange): said in an event and in the
          // ReplicaFailure condition, as the real controller does; retried later.
          if (!(err instanceof ApiError)) throw err;
          this.events.record(rs, "Warning", "FailedCreate", `Error creating: ${err.message}`);
          failure = err;
        }
      }
    } else if (active.length > want) {
      const victims = [...active]
        .sort(
          (a, b) =>
            deletionRank(a) - deletionRank(b) ||
            String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp)),
        )
        .slice(0, active.length - want);
      for (const p of victims) {
        this.registry.delete(podDef, ns, p.metadata.name ?? "", {});
        this.events.record(rs, "Normal", "SuccessfulDelete", `Deleted pod: ${p.metadata.name}`);
      }
    }
    this.updateStatus(rs, failure?.message);
    if (failure) throw failure;
  }

  private updateStatus(rs: KubeObject, failure?: string): void {
    const spec = rs.spec as JsonObject;
    const minReady = typeof spec.minReadySeconds === "number" ? spec.minReadySeconds : 0;
    const active = this.podsOf(rs).filter(isPodActive);
    const tlabels = (
      isJsonObject(spec.template) && isJsonObject(spec.template.metadata) ? spec.template.metadata.labels : {}
    ) as Record<string, string>;
    const fully = active.filter((p) =>
      Object.entries(tlabels ?? {}).every(([k, v]) => p.metadata.labels?.[k] === v),
    ).length;
    const ready = active.filter(isPodReady).length;
    const available = active.filter((p) => isPodAvailable(p, minReady)).length;
    const status: JsonObject = {
      replicas: active.length,
      fullyLabeledReplicas: fully,
      readyReplicas: ready,
      availableReplicas: available,
      observedGeneration: rs.metadata.generation ?? 1,
    };
    if (!ready) delete status.readyReplicas;
    if (!available) delete status.availableReplicas;
    if (!fully) delete status.fullyLabeledReplicas;
    const conditions = replicaFailure(rs, failure);
    if (conditions.length) status.conditions = conditions;
    if (ready > available && minReady > 0)
      this.queue.addAfter(nsKey(rs.metadata.namespace, rs.metadata.name ?? ""), minReady * 1000);
    this.registry.mutate(
      rsDef,
      rs.metadata.namespace,
      rs.metadata.name ?? "",
      (o) => (o.status = status),
      "status",
    );
  }
}
