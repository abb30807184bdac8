import {
  isJsonObject,
  kubeNow,
  type JsonObject,
  type KubeObject,
  asObjects as arr,
} from "../../shared/kube-object.js";
import { resourceByPlural } from "../resource-table.js";
import { canonical } from "../registry/canonical.js";
import type { Registry } from "../registry/registry.js";
import { matchesMap } from "../selectors/label-selector.js";
import type { StoreEvent } from "../store/object-store.js";
import { syncEndpointSlice, type PodEndpoint } from "./endpointslice-writer.js";
import { isPodReady } from "./pod-conditions.js";
import { WorkQueue, nsKey, splitKey } from "./work-queue.js";

const svcDef = resourceByPlural("", "services");
const epDef = resourceByPlural("", "endpoints");
const podDef = resourceByPlural("", "pods");

/** The pod's port for a service port: a number, or a named container port (podutil.FindPort). */
function findPort(pod: KubeObject, sp: JsonObject): number | undefined {
  const tp = sp.targetPort ?? sp.port;
  if (typeof tp === "number") return tp;
  if (/^\d+$/.test(String(tp))) return Number(tp);
  const spec = isJsonObject(pod.spec) ? pod.spec : {};
  for (const c of arr(spec.containers)) {
    for (const p of arr(c.ports))
      if (p.name === tp && (p.protocol ?? "TCP") === (sp.protocol ?? "TCP")) return Number(p.containerPort);
  }
  return undefined;
}

/** Endpoints (and an EndpointSlice) for every Service with a selector, from the pods it selects. */
export class EndpointsController {
  readonly queue: WorkQueue;

  constructor(private readonly registry: Registry) {
    this.queue = new WorkQueue("endpoints-controller", (k) => this.sync(k));
  }

  onEvent(e: StoreEvent): void {
    if (e.resource === "/services" || e.resource === "/endpoints")
      this.queue.add(nsKey(e.object.metadata.namespace, e.object.metadata.name ?? ""));
    if (e.resource === "/pods") {
      for (const svc of this.registry.list(svcDef, e.object.metadata.namespace)) {
        const sel =
          isJsonObject(svc.spec) && isJsonObject(svc.spec.selector)
            ? (svc.spec.selector as Record<string, string>)
            : undefined;
        if (!sel || !Object.keys(sel).length) continue;
        if (matchesMap(sel, e.object.metadata.labels) || (e.old && matchesMap(sel, e.old.metadata.labels)))
          this.queue.add(nsKey(svc.metadata.namespace, svc.metadata.name ?? ""));
      }
    }
  }

  sync(key: string): void {
    const [ns, name] = splitKey(key);
    const svc = this.registry.find(svcDef, ns, name);
    if (!svc) {
      if (
        this.registry.find(epDef, ns, name)?.metadata.labels?.["endpoints.kubernetes.io/managed-by"] !==
        undefined
      )
        this.registry.delete(epDef, ns, name, {});
      return;
    }
    const spec: JsonObject = isJsonObject(svc.spec) ? svc.spec : {};
    const selector = isJsonObject(spec.selector) ? (spec.selector as Record<string, string>) : undefined;
    if (!selector || !Object.keys(selector).length) return;
    const publishNotReady = spec.publishNotReadyAddresses === true;
    const pods = this.registry
      .list(podDef, ns)
      .filter((p) => matchesMap(selector, p.metadata.labels))
      .filter((p) => isJsonObject(p.status) && p.status.podIP && !p.metadata.deletionTimestamp);
    const subsets = new Map<
      string,
      { addresses: JsonObject[]; notReadyAddresses: JsonObject[]; ports: JsonObject[] }
    >();
    const sliceEndpoints: PodEndpoint[] = [];
    for (const pod of pods) {
      const ports: JsonObject[] = [];
      for (const sp of arr(spec.ports)) {
        const port = findPort(pod, sp);
        if (port === undefined) continue;
        const ep: JsonObject = { port, protocol: sp.protocol ?? "TCP" };
        if (sp.name) ep.name = sp.name;
        if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
        ports.push(ep);
      }
      const podSpec: JsonObject = isJsonObject(pod.spec) ? pod.spec : {};
      const address: JsonObject = {
        ip: (pod.status as JsonObject).podIP,
        ...(podSpec.hostname && podSpec.subdomain === name ? { hostname: podSpec.hostname } : {}),
        ...(podSpec.nodeName ? { nodeName: podSpec.nodeName } : {}),
        targetRef: { kind: "Pod", namespace: ns, name: pod.metadata.name, uid: pod.metadata.uid },
      };
      const ready = isPodReady(pod) || publishNotReady;
      sliceEndpoints.push({ pod, address, ready, ports });
      const k = canonical(ports);
      if (!subsets.has(k)) subsets.set(k, { addresses: [], notReadyAddresses: [], ports });
      (ready ? subsets.get(k)!.addresses : subsets.get(k)!.notReadyAddresses).push(address);
    }
    const list = [...subsets.values()].map((s) => {
      const out: JsonObject = {};
      if (s.addresses.length)
        out.addresses = s.addresses.sort((a, b) => String(a.ip).localeCompare(String(b.ip)));
      if (s.notReadyAddresses.length)
        out.notReadyAddresses = s.notReadyAddresses.sort((a, b) => String(a.ip).localeCompare(String(b.ip)));
      if (s.ports.length) out.ports = s.ports;
      return out;
    });
    const labels: Record<string, string> = {
      ...svc.metadata.labels,
      "endpoints.kubernetes.io/managed-by": "endpoint-controller",
    };
    if (spec.clusterIP === "None") labels["service.kubernetes.io/headless"] = "";
    const current = this.registry.find(epDef, ns, name);
    const desired: KubeObject = {
      metadata: { name, namespace: ns, labels },
      ...(list.length ? { subsets: list } : {}),
    };
    if (!current) this.registry.create(epDef, ns, desired);
    else if (
      canonical(current.subsets) !== canonical(desired.subsets) ||
      canonical(current.metadata.labels) !== canonical(labels)
    ) {
      current.subsets = desired.subsets;
      if (!desired.subsets) delete current.subsets;
      current.metadata.labels = labels;
      current.metadata.annotations = {
        ...current.metadata.annotations,
        "endpoints.kubernetes.io/last-change-trigger-time": kubeNow(),
      };
      this.registry.update(epDef, ns, name, current);
    }
    syncEndpointSlice(this.registry, svc, sliceEndpoints);
  }
}
