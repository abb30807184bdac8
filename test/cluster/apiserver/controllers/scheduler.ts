import { isDeepStrictEqual } from "node:util";
import { isJsonObject, kubeNow, type JsonObject, type KubeObject } from "../../shared/kube-object.js";
import { resourceByPlural } from "../resource-table.js";
import type { Registry } from "../registry/registry.js";
import type { StoreEvent } from "../store/object-store.js";
import { conditions } from "./pod-conditions.js";
import { AffinityReasons, affinityRefusal, type PlacedPod } from "./pod-affinity.js";
import { WorkQueue, nsKey, splitKey } from "./work-queue.js";

const podDef = resourceByPlural("", "pods");
const nodeDef = resourceByPlural("", "nodes");
const leaseDef = resourceByPlural("coordination.k8s.io", "leases");
const namespaceDef = resourceByPlural("", "namespaces");

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
    // A pod that goes frees its host ports and its anti-affinity's domain, and a pod bound or
    // relabelled may be what another's affinity waits for (not a bound pod's status updates): the
    // pods waiting are tried again; so they are when a node comes or its labels change.
    const labelsChanged = !isDeepStrictEqual(e.old?.metadata.labels ?? {}, e.object.metadata.labels ?? {});
    const freed =
      e.resource === "/pods" &&
      (e.type === "DELETED" ||
        (terminal(e.object) && !(e.old && terminal(e.old))) ||
        (!!nodeName(e.object) && (!nodeName(e.old) || labelsChanged)));
    const nodeUp =
      (e.type === "ADDED" &&
        (e.resource === "/nodes" ||
          (e.resource === "coordination.k8s.io/leases" &&
            e.object.metadata.namespace === "kube-node-lease"))) ||
      (e.type === "MODIFIED" && e.resource === "/nodes" && labelsChanged);
    if (freed || nodeUp)
      for (const p of this.registry.list(podDef, undefined, { fieldSelector: "spec.nodeName=" }))
        this.queue.add(nsKey(p.metadata.namespace, p.metadata.name ?? ""));
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
    if (!node)
      return this.unschedulable(pod, "0/0 nodes are available: no nodes available to schedule pods.");
    // The NodePorts filter: a host port (protocol, address) is one pod's on a node.
    const onNode = this.registry
      .list(podDef, undefined, { fieldSelector: `spec.nodeName=${node}` })
      .filter((p) => !terminal(p));
    if (hostPorts(pod).some((want) => onNode.some((p) => hostPorts(p).some((used) => samePort(want, used)))))
      return this.unschedulable(
        pod,
        "0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports. " +
          "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
      );
    const refusal = this.affinityRefusal(pod, node);
    if (refusal)
      return this.unschedulable(
        pod,
        `0/1 nodes are available: 1 ${refusal}. preemption: 0/1 nodes are available: 1 ` +
          (refusal === AffinityReasons.affinity
            ? "Preemption is not helpful for scheduling."
            : "No preemption victims found for incoming pod."),
      );
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

  /** The InterPodAffinity filter for `node`, against every pod bound to a node (terminating too). */
  private affinityRefusal(pod: KubeObject, node: string): string | undefined {
    const labels = (o: KubeObject | undefined) => (o?.metadata.labels ?? {}) as Record<string, string>;
    const nodes = new Map(this.registry.list(nodeDef, undefined).map((n) => [n.metadata.name, labels(n)]));
    const placed: PlacedPod[] = this.registry
      .list(podDef, undefined)
      .filter((p) => typeof nodeName(p) === "string" && nodeName(p) && !terminal(p))
      .map((p) => ({ pod: p, nodeLabels: nodes.get(nodeName(p) as string) ?? {} }));
    const namespaceLabels = (ns: string) => labels(this.registry.find(namespaceDef, undefined, ns));
    return affinityRefusal(pod, nodes.get(node) ?? {}, placed, namespaceLabels);
  }

  private unschedulable(pod: KubeObject, message: string): void {
    if (conditions(pod).some((c) => c.type === "PodScheduled" && c.message === message)) return;
    this.registry.mutate(
      podDef,
      pod.metadata.namespace,
      pod.metadata.name ?? "",
      (o) => {
        const st = (isJsonObject(o.status) ? o.status : {}) as JsonObject;
        st.conditions = [
          ...conditions(o).filter((c) => c.type !== "PodScheduled"),
          {
            type: "PodScheduled",
            status: "False",
            lastProbeTime: null,
            lastTransitionTime: kubeNow(),
            reason: "Unschedulable",
            message,
          },
        ];
        o.status = st;
      },
      "status",
    );
  }
}

const nodeName = (pod: KubeObject | undefined): unknown =>
  isJsonObject(pod?.spec) ? pod.spec.nodeName : undefined;

const terminal = (pod: KubeObject): boolean => {
  const phase = isJsonObject(pod.status) ? pod.status.phase : undefined;
  return phase === "Succeeded" || phase === "Failed";
};

interface HostPort {
  port: number;
  protocol: string;
  ip: string;
}

/** The host ports of a pod's containers (init containers have none that last). */
function hostPorts(pod: KubeObject): HostPort[] {
  const spec = isJsonObject(pod.spec) ? pod.spec : {};
  const out: HostPort[] = [];
  for (const c of Array.isArray(spec.containers) ? spec.containers : []) {
    if (!isJsonObject(c) || !Array.isArray(c.ports)) continue;
    for (const p of c.ports) {
      if (!isJsonObject(p) || typeof p.hostPort !== "number" || p.hostPort <= 0) continue;
      out.push({
        port: p.hostPort,
        protocol: typeof p.protocol === "string" ? p.protocol : "TCP",
        ip: typeof p.hostIP === "string" && p.hostIP ? p.hostIP : "0.0.0.0",
      });
    }
  }
  return out;
}

/** Whether two host ports collide: same port and protocol, and one address is the other or any. */
function samePort(a: HostPort, b: HostPort): boolean {
  return (
    a.port === b.port &&
    a.protocol === b.protocol &&
    (a.ip === b.ip || a.ip === "0.0.0.0" || b.ip === "0.0.0.0")
  );
}
