import { isJsonObject, type JsonObject, type KubeObject } from "../../shared/kube-object.js";
import { ApiError } from "../http/api-error.js";
import { resourceByPlural } from "../resource-table.js";
import type { Registry } from "../registry/registry.js";
import type { StoreEvent } from "../store/object-store.js";
import { replicasOf, templateHash, templateOf } from "./deployment-math.js";
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

const stsDef = resourceByPlural("apps", "statefulsets");
const podDef = resourceByPlural("", "pods");
const pvcDef = resourceByPlural("", "persistentvolumeclaims");

export const podNameLabel = "statefulset.kubernetes.io/pod-name";
export const podIndexLabel = "apps.kubernetes.io/pod-index";
const revisionLabel = "controller-revision-hash";

function ordinalOf(sts: KubeObject, pod: KubeObject): number {
  const m = new RegExp(`^${sts.metadata.name}-(\\d+)$`).exec(pod.metadata.name ?? "");
  return m ? Number(m[1]) : -1;
}

function claimTemplates(spec: JsonObject): JsonObject[] {
  return (Array.isArray(spec.volumeClaimTemplates) ? spec.volumeClaimTemplates : []).filter(isJsonObject);
}

function claimName(template: JsonObject, podName: string): string {
  return `${(template.metadata as JsonObject).name as string}-${podName}`;
}

/**
 * StatefulSet → pods NAME-0…NAME-(n-1) with stable identity (hostname and subdomain, so the
 * headless Service names each one) and a PersistentVolumeClaim per claim template and pod that
 * outlives the pod. OrderedReady: one pod at a time, each once the previous is Running and Ready;
 * scaling down removes the highest ordinal first; a changed template replaces pods from the
 * highest ordinal down (RollingUpdate; partition and OnDelete honoured).
 */
export class StatefulSetController {
  readonly queue: WorkQueue;

  constructor(
    private readonly registry: Registry,
    private readonly events: EventRecorder,
  ) {
    this.queue = new WorkQueue("statefulset-controller", (k) => this.sync(k));
  }

  onEvent(e: StoreEvent): void {
    if (e.resource === "apps/statefulsets")
      this.queue.add(nsKey(e.object.metadata.namespace, e.object.metadata.name ?? ""));
    if (e.resource === "/pods")
      for (const k of controllerKeys(e.object, e.old, "StatefulSet")) this.queue.add(k);
  }

  private revision(sts: KubeObject): string {
    return `${sts.metadata.name}-${templateHash(templateOf(sts))}`;
  }

  private ensureClaims(sts: KubeObject, podName: string): void {
    const spec = sts.spec as JsonObject;
    const ns = sts.metadata.namespace;
    const matchLabels = (isJsonObject(spec.selector) ? spec.selector.matchLabels : undefined) as
      Record<string, string> | undefined;
    for (const t of claimTemplates(spec)) {
      const name = claimName(t, podName);
      if (this.registry.find(pvcDef, ns, name)) continue;
      const tmeta = isJsonObject(t.metadata) ? t.metadata : {};
      this.registry.create(pvcDef, ns, {
        metadata: {
          name,
          namespace: ns,
          labels: { ...(tmeta.labels as Record<string, string>), ...matchLabels },
          ...(tmeta.annotations ? { annotations: { ...(tmeta.annotations as Record<string, string>) } } : {}),
        },
        spec: structuredClone(t.spec ?? {}),
      });
      this.events.record(
        sts,
        "Normal",
        "SuccessfulCreate",
        `create Claim ${name} Pod ${podName} in StatefulSet ${sts.metadata.name} success`,
      );
    }
  }

  private newPod(sts: KubeObject, ordinal: number): KubeObject {
    const spec = sts.spec as JsonObject;
    const template = templateOf(sts);
    const tmeta = isJsonObject(template.metadata) ? template.metadata : {};
    const podSpec = structuredClone((template.spec ?? {}) as JsonObject);
    const name = `${sts.metadata.name}-${ordinal}`;
    const claims = claimTemplates(spec);
    const claimed = new Set(claims.map((t) => (t.metadata as JsonObject).name));
    const volumes = (Array.isArray(podSpec.volumes) ? podSpec.volumes : []).filter(
      (v) => !(isJsonObject(v) && claimed.has(v.name)),
    );
    for (const t of claims)
      volumes.push({
        name: (t.metadata as JsonObject).name,
        persistentVolumeClaim: { claimName: claimName(t, name) },
      });
    if (volumes.length) podSpec.volumes = volumes;
    podSpec.hostname = name;
    if (typeof spec.serviceName === "string" && spec.serviceName) podSpec.subdomain = spec.serviceName;
    return {
      metadata: {
        name,
        namespace: sts.metadata.namespace,
        labels: {
          ...((tmeta.labels as Record<string, string>) ?? {}),
          [podNameLabel]: name,
          [podIndexLabel]: String(ordinal),
          [revisionLabel]: this.revision(sts),
        },
        ...(tmeta.annotations ? { annotations: { ...(tmeta.annotations as Record<string, string>) } } : {}),
        ownerReferences: [controllerRef(sts, stsDef)],
      },
      spec: podSpec,
    } as KubeObject;
  }

  sync(key: string): void {
    const [ns, name] = splitKey(key);
    const sts = this.registry.find(stsDef, ns, name);
    if (!sts || sts.metadata.deletionTimestamp) return;
    const spec = sts.spec as JsonObject;
    const want = replicasOf(sts);
    const revision = this.revision(sts);
    const pods = this.registry
      .list(podDef, ns)
      .filter((p) => controllerOf(p)?.uid === sts.metadata.uid && ordinalOf(sts, p) >= 0)
      .sort((a, b) => ordinalOf(sts, a) - ordinalOf(sts, b));
    const byOrdinal = new Map(pods.map((p) => [ordinalOf(sts, p), p]));
    const ordered = spec.podManagementPolicy !== "Parallel";
    let busy = false;
    // Failed pods are replaced under the same name.
    for (const p of pods) {
      if ((podPhase(p) === "Failed" || podPhase(p) === "Succeeded") && !p.metadata.deletionTimestamp) {
        this.registry.delete(podDef, ns, p.metadata.name ?? "", {});
        busy = true;
      }
    }
    for (let i = 0; i < want && !busy; i++) {
      const pod = byOrdinal.get(i);
      if (!pod) {
        const podName = `${name}-${i}`;
        this.ensureClaims(sts, podName);
        try {
          this.registry.create(podDef, ns, this.newPod(sts, i));
        } catch (err) {
          // Refused by admission (a quota): an event, the status as it is, and a retry later.
          if (!(err instanceof ApiError)) throw err;
          const why = `create Pod ${podName} in StatefulSet ${name} failed error: ${err.message}`;
          this.events.record(sts, "Warning", "FailedCreate", why);
          this.updateStatus(sts, revision);
          throw err;
        }
        this.events.record(
          sts,
          "Normal",
          "SuccessfulCreate",
          `create Pod ${podName} in StatefulSet ${name} successful`,
        );
        if (ordered) busy = true;
        continue;
      }
      if (ordered && (!isPodActive(pod) || !isPodReady(pod))) busy = true;
    }
    // Scale down from the highest ordinal, one at a time when ordered.
    if (!busy) {
      const extra = pods.filter((p) => ordinalOf(sts, p) >= want).reverse();
      for (const p of extra) {
        if (!p.metadata.deletionTimestamp) {
          this.registry.delete(podDef, ns, p.metadata.name ?? "", {});
          this.events.record(
            sts,
            "Normal",
            "SuccessfulDelete",
            `delete Pod ${p.metadata.name} in StatefulSet ${name} successful`,
          );
        }
        if (ordered) {
          busy = true;
          break;
        }
      }
    }
    // Rolling update: the highest ordinal at or above the partition whose revision is old goes.
    const update = isJsonObject(spec.updateStrategy) ? spec.updateStrategy : {};
    if (!busy && update.type !== "OnDelete") {
      const partition = Number((isJsonObject(update.rollingUpdate) && update.rollingUpdate.partition) || 0);
      const stale = pods
        .filter((p) => ordinalOf(sts, p) < want && ordinalOf(sts, p) >= partition)
        .filter((p) => p.metadata.labels?.[revisionLabel] !== revision && !p.metadata.deletionTimestamp)
        .at(-1);
      if (stale) this.registry.delete(podDef, ns, stale.metadata.name ?? "", {});
    }
    this.updateStatus(sts, revision);
  }

  private updateStatus(sts: KubeObject, revision: string): void {
    const spec = sts.spec as JsonObject;
    const minReady = typeof spec.minReadySeconds === "number" ? spec.minReadySeconds : 0;
    const active = this.registry
      .list(podDef, sts.metadata.namespace)
      .filter((p) => controllerOf(p)?.uid === sts.metadata.uid && isPodActive(p));
    const updated = active.filter((p) => p.metadata.labels?.[revisionLabel] === revision).length;
    const status: JsonObject = {
      observedGeneration: sts.metadata.generation ?? 1,
      replicas: active.length,
      readyReplicas: active.filter(isPodReady).length,
      currentReplicas: updated,
      updatedReplicas: updated,
      availableReplicas: active.filter((p) => isPodAvailable(p, minReady)).length,
      currentRevision: revision,
      updateRevision: revision,
      collisionCount: 0,
    };
    if (!status.readyReplicas) delete status.readyReplicas;
    if (!updated) {
      delete status.currentReplicas;
      delete status.updatedReplicas;
    }
    if (JSON.stringify(sts.status) === JSON.stringify(status)) return;
    this.registry.mutate(
      stsDef,
      sts.metadata.namespace,
      sts.metadata.name ?? "",
      (o) => (o.status = status),
      "status",
    );
  }
}
