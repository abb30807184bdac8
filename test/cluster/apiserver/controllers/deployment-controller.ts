import { isJsonObject, type JsonObject, type KubeObject } from "../../shared/kube-object.js";
import { resourceByPlural } from "../resource-table.js";
import type { Registry } from "../registry/registry.js";
import type { StoreEvent } from "../store/object-store.js";
import {
  hashLabel,
  replicasOf,
  revisionAnnotation,
  revisionOf,
  statusNum,
  surgeAndUnavailable,
  templateHash,
  templateKey,
  templateOf,
} from "./deployment-math.js";
import { deploymentStatus } from "./deployment-status.js";
import type { EventRecorder } from "./event-recorder.js";
import { controllerOf, controllerRef } from "./pod-conditions.js";
import { WorkQueue, nsKey, splitKey } from "./work-queue.js";

const deployDef = resourceByPlural("apps", "deployments");
const rsDef = resourceByPlural("apps", "replicasets");
const podDef = resourceByPlural("", "pods");

/** Deployment → ReplicaSets: creates the new one, rolls over (RollingUpdate or Recreate), scales, reports. */
export class DeploymentController {
  readonly queue: WorkQueue;

  constructor(
    private readonly registry: Registry,
    private readonly events: EventRecorder,
  ) {
    this.queue = new WorkQueue("deployment-controller", (k) => this.sync(k));
  }

  onEvent(e: StoreEvent): void {
    if (e.resource === "apps/deployments")
      this.queue.add(nsKey(e.object.metadata.namespace, e.object.metadata.name ?? ""));
    if (e.resource === "apps/replicasets") {
      const ref = controllerOf(e.object);
      if (ref?.kind === "Deployment") this.queue.add(nsKey(e.object.metadata.namespace, ref.name));
    }
  }

  private scaleRs(d: KubeObject, rs: KubeObject, replicas: number): KubeObject {
    const before = replicasOf(rs);
    if (before === replicas) return rs;
    const out = this.registry.mutate(rsDef, rs.metadata.namespace, rs.metadata.name ?? "", (o) => {
      (o.spec as JsonObject).replicas = replicas;
      o.metadata.annotations = {
        ...o.metadata.annotations,
        "deployment.kubernetes.io/desired-replicas": String(replicasOf(d)),
        "deployment.kubernetes.io/max-replicas": String(replicasOf(d) + surgeAndUnavailable(d).maxSurge),
      };
    });
    this.events.record(
      d,
      "Normal",
      "ScalingReplicaSet",
      `Scaled ${replicas > before ? "up" : "down"} replica set ${rs.metadata.name} from ${before} to ${replicas}`,
    );
    return out ?? rs;
  }

  sync(key: string): void {
    const [ns, name] = splitKey(key);
    const d = this.registry.find(deployDef, ns, name);
    if (!d || d.metadata.deletionTimestamp) return;
    const spec = d.spec as JsonObject;
    const all = this.registry.list(rsDef, ns).filter((rs) => controllerOf(rs)?.uid === d.metadata.uid);
    const template = templateOf(d);
    const want = templateKey(template);
    let newRs = all.find((rs) => templateKey(templateOf(rs)) === want);
    const olds = all.filter((rs) => rs !== newRs);
    const maxRevision = Math.max(0, ...olds.map(revisionOf));
    if (spec.paused) return this.report(d, newRs, all);
    if (!newRs) {
      const hash = templateHash(
        template,
        Number((isJsonObject(d.status) ? d.status.collisionCount : 0) ?? 0),
      );
      const t = structuredClone(template);
      const tmeta = (isJsonObject(t.metadata) ? t.metadata : {}) as JsonObject;
      tmeta.labels = { ...(tmeta.labels as Record<string, string>), [hashLabel]: hash };
      t.metadata = tmeta;
      const selector = structuredClone((spec.selector ?? {}) as JsonObject);
      selector.matchLabels = { ...(selector.matchLabels as Record<string, string>), [hashLabel]: hash };
      const { maxSurge } = surgeAndUnavailable(d);
      const annotations: Record<string, string> = {};
      for (const [k, v] of Object.entries(d.metadata.annotations ?? {}))
        if (k !== revisionAnnotation && k !== "kubectl.kubernetes.io/last-applied-configuration")
          annotations[k] = v;
      const totalOld = olds.reduce((n, rs) => n + replicasOf(rs), 0);
      const initial = totalOld === 0 || spec.strategy === undefined ? replicasOf(d) : 0;
      newRs = this.registry.create(rsDef, ns, {
        metadata: {
          name: `${name}-${hash}`,
          namespace: ns,
          labels: { ...(tmeta.labels as Record<string, string>) },
          annotations: {
            ...annotations,
            "deployment.kubernetes.io/desired-replicas": String(replicasOf(d)),
            "deployment.kubernetes.io/max-replicas": String(replicasOf(d) + maxSurge),
            [revisionAnnotation]: String(maxRevision + 1),
          },
          ownerReferences: [controllerRef(d, deployDef)],
        },
        spec: {
          replicas: isRecreate(d) ? 0 : Math.min(initial, replicasOf(d)),
          minReadySeconds: spec.minReadySeconds ?? 0,
          selector,
          template: t,
        },
      });
      this.events.record(
        d,
        "Normal",
        "ScalingReplicaSet",
        `Scaled up replica set ${newRs.metadata.name} from 0 to ${replicasOf(newRs)}`,
      );
    } else if (revisionOf(newRs) <= maxRevision) {
      newRs =
        this.registry.mutate(rsDef, ns, newRs.metadata.name ?? "", (o) => {
          o.metadata.annotations = {
            ...o.metadata.annotations,
            [revisionAnnotation]: String(maxRevision + 1),
          };
        }) ?? newRs;
    }
    if (d.metadata.annotations?.[revisionAnnotation] !== String(revisionOf(newRs))) {
      this.registry.mutate(deployDef, ns, name, (o) => {
        o.metadata.annotations = {
          ...o.metadata.annotations,
          [revisionAnnotation]: String(revisionOf(newRs)),
        };
      });
    }
    if (isRecreate(d)) this.recreate(d, newRs, olds);
    else this.rolling(d, newRs, olds);
    this.cleanup(d, olds);
    this.report(
      d,
      this.registry.find(rsDef, ns, newRs.metadata.name ?? ""),
      this.registry.list(rsDef, ns).filter((rs) => controllerOf(rs)?.uid === d.metadata.uid),
    );
  }

  private recreate(d: KubeObject, newRs: KubeObject, olds: KubeObject[]): void {
    for (const rs of olds) this.scaleRs(d, rs, 0);
    const oldPods = this.registry
      .list(podDef, d.metadata.namespace)
      .filter((p) => olds.some((rs) => controllerOf(p)?.uid === rs.metadata.uid));
    if (oldPods.length) return;
    this.scaleRs(d, newRs, replicasOf(d));
  }

  /** rolling.go: scale the new ReplicaSet up within maxSurge, old ones down within maxUnavailable. */
  private rolling(d: KubeObject, newRs: KubeObject, olds: KubeObject[]): void {
    const desired = replicasOf(d);
    const { maxSurge, maxUnavailable } = surgeAndUnavailable(d);
    const activeOlds = olds.filter((rs) => replicasOf(rs) > 0);
    if (!activeOlds.length) {
      this.scaleRs(d, newRs, desired);
      return;
    }
    const total = (): number => replicasOf(newRs) + olds.reduce((n, rs) => n + replicasOf(rs), 0);
    if (replicasOf(newRs) > desired) newRs = this.scaleRs(d, newRs, desired);
    else if (replicasOf(newRs) < desired && total() < desired + maxSurge) {
      const up = Math.min(desired + maxSurge - total(), desired - replicasOf(newRs));
      newRs = this.scaleRs(d, newRs, replicasOf(newRs) + up);
    }
    const minAvailable = desired - maxUnavailable;
    const newUnavailable = replicasOf(newRs) - statusNum(newRs, "availableReplicas");
    let budget = total() - minAvailable - newUnavailable;
    if (budget <= 0) return;
    // Unhealthy old replicas go first, then healthy ones while enough stay available.
    for (const rs of activeOlds.sort((a, b) =>
      String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)),
    )) {
      if (budget <= 0) break;
      const unhealthy = replicasOf(rs) - statusNum(rs, "availableReplicas");
      const cut = Math.min(budget, Math.max(0, unhealthy));
      if (cut > 0) {
        this.scaleRs(d, rs, replicasOf(rs) - cut);
        budget -= cut;
      }
    }
    const allAvailable =
      statusNum(newRs, "availableReplicas") +
      olds.reduce((n, rs) => n + statusNum(rs, "availableReplicas"), 0);
    let down = Math.min(allAvailable - minAvailable, budget);
    for (const rs of olds) {
      const current = this.registry.find(rsDef, rs.metadata.namespace, rs.metadata.name ?? "") ?? rs;
      if (down <= 0) break;
      const cut = Math.min(down, replicasOf(current));
      if (cut > 0) {
        this.scaleRs(d, current, replicasOf(current) - cut);
        down -= cut;
      }
    }
  }

  private cleanup(d: KubeObject, olds: KubeObject[]): void {
    const limit = Number((d.spec as JsonObject).revisionHistoryLimit ?? 10);
    const idle = olds
      .map((rs) => this.registry.find(rsDef, rs.metadata.namespace, rs.metadata.name ?? ""))
      .filter(
        (rs): rs is KubeObject =>
          !!rs && replicasOf(rs) === 0 && statusNum(rs, "replicas") === 0 && !rs.metadata.deletionTimestamp,
      )
      .sort((a, b) => revisionOf(a) - revisionOf(b));
    for (const rs of idle.slice(0, Math.max(0, idle.length - limit)))
      this.registry.delete(rsDef, rs.metadata.namespace, rs.metadata.name ?? "", {});
  }

  private report(d: KubeObject, newRs: KubeObject | undefined, all: KubeObject[]): void {
    const status = deploymentStatus(d, newRs, all);
    this.registry.mutate(
      deployDef,
      d.metadata.namespace,
      d.metadata.name ?? "",
      (o) => (o.status = status),
      "status",
    );
  }
}

function isRecreate(d: KubeObject): boolean {
  const s = isJsonObject(d.spec) ? d.spec : {};
  return isJsonObject(s.strategy) && s.strategy.type === "Recreate";
}
