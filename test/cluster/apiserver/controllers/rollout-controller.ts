import { isJsonObject, type JsonObject } from "../../shared/kube-object.js";
import { resourceByPlural, resources, type ResourceDef } from "../resource-table.js";
import type { Registry } from "../registry/registry.js";
import { selectorString, type LabelSelectorObject } from "../selectors/label-selector.js";
import type { StoreEvent } from "../store/object-store.js";
import { replicasOf, statusNum, templateHash, templateOf } from "./deployment-math.js";
import type { EventRecorder } from "./event-recorder.js";
import { controllerOf, controllerRef } from "./pod-conditions.js";
import { WorkQueue, nsKey, splitKey } from "./work-queue.js";

const rsDef = resourceByPlural("apps", "replicasets");
/** The custom resource this controller serves, as Argo Rollouts defines it. */
export const rolloutGroup = "argoproj.io";
const rolloutPlural = "rollouts";
const hashLabel = "rollouts-pod-template-hash";

/** The served definition of rollouts, while its CustomResourceDefinition exists. */
function rolloutDef(): ResourceDef | undefined {
  return resources.find((r) => r.group === rolloutGroup && r.plural === rolloutPlural && !r.storage);
}

/**
 * A controller for the test cluster's one custom workload, the Rollout of Argo Rollouts (its
 * basic behaviour, without steps or traffic routing): a ReplicaSet per pod template, owned by the
 * Rollout and labelled with the template's hash, at spec.replicas; older ones scaled to 0. Its
 * status carries the replicas and the selector its CRD's scale subresource points at.
 */
export class RolloutController {
  readonly queue: WorkQueue;

  constructor(
    private readonly registry: Registry,
    private readonly events: EventRecorder,
  ) {
    this.queue = new WorkQueue("rollout-controller", (k) => this.sync(k));
  }

  onEvent(e: StoreEvent): void {
    if (e.resource === `${rolloutGroup}/${rolloutPlural}`)
      this.queue.add(nsKey(e.object.metadata.namespace, e.object.metadata.name ?? ""));
    if (e.resource === "apps/replicasets") {
      const ref = controllerOf(e.object);
      if (ref?.kind === "Rollout") this.queue.add(nsKey(e.object.metadata.namespace, ref.name));
    }
  }

  sync(key: string): void {
    const def = rolloutDef();
    if (!def) return;
    const [ns, name] = splitKey(key);
    const ro = this.registry.find(def, ns, name);
    if (!ro || ro.metadata.deletionTimestamp) return;
    const spec = isJsonObject(ro.spec) ? ro.spec : {};
    const template = templateOf(ro);
    const hash = templateHash(template);
    const owned = this.registry.list(rsDef, ns).filter((rs) => controllerOf(rs)?.uid === ro.metadata.uid);
    const want = typeof spec.replicas === "number" ? spec.replicas : 1;
    let current = owned.find((rs) => rs.metadata.labels?.[hashLabel] === hash);
    if (!current) {
      const tmeta = isJsonObject(template.metadata) ? template.metadata : {};
      const labels = { ...((tmeta.labels as Record<string, string>) ?? {}), [hashLabel]: hash };
      const selector = structuredClone((spec.selector ?? {}) as JsonObject);
      selector.matchLabels = {
        ...((selector.matchLabels as Record<string, string>) ?? {}),
        [hashLabel]: hash,
      };
      current = this.registry.create(rsDef, ns, {
        metadata: {
          name: `${name}-${hash}`,
          namespace: ns,
          labels,
          ownerReferences: [controllerRef(ro, def)],
        },
        spec: { replicas: want, selector, template: { ...template, metadata: { ...tmeta, labels } } },
      });
      this.events.record(ro, "Normal", "NewReplicaSetCreated", `Created ReplicaSet ${current.metadata.name}`);
    }
    for (const rs of owned) {
      const target = rs === current ? want : 0;
      if (replicasOf(rs) !== target)
        this.registry.mutate(
          rsDef,
          ns,
          rs.metadata.name ?? "",
          (o) => ((o.spec as JsonObject).replicas = target),
        );
    }
    const fresh = this.registry.list(rsDef, ns).filter((rs) => controllerOf(rs)?.uid === ro.metadata.uid);
    const sum = (field: string) => fresh.reduce((n, rs) => n + statusNum(rs, field), 0);
    const selector = structuredClone((spec.selector ?? {}) as LabelSelectorObject);
    selector.matchLabels = { ...selector.matchLabels, [hashLabel]: hash };
    const ready = sum("readyReplicas");
    const status: JsonObject = {
      observedGeneration: String(ro.metadata.generation ?? 1),
      replicas: sum("replicas"),
      updatedReplicas: statusNum(this.registry.find(rsDef, ns, current.metadata.name ?? ""), "replicas"),
      readyReplicas: ready,
      availableReplicas: sum("availableReplicas"),
      HPAReplicas: sum("replicas"),
      currentPodHash: hash,
      stableRS: hash,
      selector: selectorString(selector),
      phase: ready === want && sum("replicas") === want ? "Healthy" : "Progressing",
    };
    if (JSON.stringify(ro.status) === JSON.stringify(status)) return;
    const hasStatus = def.subresources.some((s) => s.name === "status");
    this.registry.mutate(def, ns, name, (o) => (o.status = status), hasStatus ? "status" : undefined);
  }
}
