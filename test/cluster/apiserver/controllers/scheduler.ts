import { isJsonObject, kubeNow, type JsonObject, type KubeObject } from "../../shared/kube-object.js";
import { resourceByPlural } from "../resource-table.js";
import type { Registry } from "../registry/registry.js";
import type { StoreEvent } from "../store/object-store.js";
import { conditions } from "./pod-conditions.js";
import { WorkQueue, nsKey, splitKey } from "./work-queue.js";

const podDef = resourceByPlural("", "pods");
const nodeDef = resourceByPlural("", "nodes");
const leaseDef = resourceByPlural("coordination.k8s.io", "leases");

/** Binds pods without a node to the cluster's node (there is one), as the default scheduler would. */
export class Scheduler {
  readonly queue: WorkQueue;

  constructor(private readonly registry: Registry) {
    this.queue = new WorkQueue("default-scheduler", (k) => this.sync(k));
  }

  onEvent(e: StoreEvent): void {
    if (e.resource === "/pods" && e.type !== "DELETED") {
      const spec = isJsonObject(e.object.spec) ? e.object.spec : {};
      if (!spec.nodeName) this.queue.add(nsKey(e.object.metadata.namespace, e.object.metadata.name ?? ""));
    }
    if (
      e.resource === "/nodes" ||
      (e.resource === "coordination.k8s.io/leases" && e.object.metadata.namespace === "kube-node-lease")
    ) {
      if (e.type === "ADDED")
        for (const p of this.registry.list(podDef, undefined, { fieldSelector: "spec.nodeName=" }))
          this.queue.add(nsKey(p.metadata.namespace, p.metadata.name ?? ""));
    }
  }

  private pickNode(): string | undefined {
    const nodes = this.registry
      .list(nodeDef, undefined)
      .filter((n) => !(isJsonObject(n.spec) && n.spec.unschedulable));
    const ready = nodes.find((n) => conditions(n).some((c) => c.type === "Ready" && c.status === "True"));
    if (ready ?? nodes[0]) return (ready ?? nodes[0])!.metadata.name;
    return this.registry.list(leaseDef, "kube-node-lease")[0]?.metadata.name;
  }

  sync(key: string): void {
    const [ns, name] = splitKey(key);
    const pod = this.registry.find(podDef, ns, name);
    if (!pod || pod.metadata.deletionTimestamp) return;
    const spec = pod.spec as JsonObject;
    if (spec.nodeName) return;
    const node = this.pickNode();
    if (!node) return this.unschedulable(pod);
    spec.nodeName = node;
    const stored = this.registry.store.update("/pods", pod);
    this.registry.mutate(
      podDef,
      ns,
      name,
      (o) => {
        const st = (isJsonObject(o.status) ? o.status : {}) as JsonObject;
        const others = conditions(o).filter((c) => c.type !== "PodScheduled");
        st.conditions = [
          ...others,
          { type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: kubeNow() },
        ];
        o.status = st;
      },
      "status",
    );
    void stored;
  }

  private unschedulable(pod: KubeObject): void {
    if (conditions(pod).some((c) => c.type === "PodScheduled")) return;
    this.registry.mutate(
      podDef,
      pod.metadata.namespace,
      pod.metadata.name ?? "",
      (o) => {
        const st = (isJsonObject(o.status) ? o.status : {}) as JsonObject;
        st.conditions = [
          ...conditions(o),
          {
            type: "PodScheduled",
            status: "False",
            lastProbeTime: null,
            lastTransitionTime: kubeNow(),
            reason: "Unschedulable",
            message: "0/0 nodes are available: no nodes available to schedule pods.",
          },
        ];
        o.status = st;
      },
      "status",
    );
  }
}
