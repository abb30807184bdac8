import { isJsonObject, type JsonObject, type KubeObject } from "../../shared/kube-object.js";
import { canonical } from "../registry/canonical.js";
import type { Registry } from "../registry/registry.js";
import { resourceByPlural } from "../resource-table.js";
import { controllerRef } from "./pod-conditions.js";

const sliceDef = resourceByPlural("discovery.k8s.io", "endpointslices");
const svcDef = resourceByPlural("", "services");

export interface PodEndpoint {
  pod: KubeObject;
  address: JsonObject;
  ready: boolean;
  ports: JsonObject[];
}

/** One discovery.k8s.io/v1 EndpointSlice per Service (enough for a small cluster). */
export function syncEndpointSlice(registry: Registry, svc: KubeObject, endpoints: PodEndpoint[]): void {
  const ns = svc.metadata.namespace;
  const svcName = svc.metadata.name ?? "";
  const existing = registry.list(sliceDef, ns, {
    labelSelector: `kubernetes.io/service-name=${svcName},endpointslice.kubernetes.io/managed-by=endpointslice-controller.k8s.io`,
  });
  const ports = endpoints[0]?.ports ?? [];
  const body = {
    addressType: "IPv4",
    endpoints: endpoints.map((e) => ({
      addresses: [e.address.ip],
      conditions: { ready: e.ready, serving: e.ready, terminating: false },
      ...(e.address.hostname ? { hostname: e.address.hostname } : {}),
      targetRef: e.address.targetRef,
      ...(e.address.nodeName ? { nodeName: e.address.nodeName } : {}),
    })),
    ports: ports.map((p) => ({ name: p.name ?? "", port: p.port, protocol: p.protocol })),
  };
  const spec = isJsonObject(svc.spec) ? svc.spec : {};
  const labels: Record<string, string> = {
    ...svc.metadata.labels,
    "kubernetes.io/service-name": svcName,
    "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
  };
  if (spec.clusterIP === "None") labels["service.kubernetes.io/headless"] = "";
  const current = existing[0];
  if (!current) {
    registry.create(sliceDef, ns, {
      metadata: {
        generateName: `${svcName}-`,
        namespace: ns,
        labels,
        ownerReferences: [controllerRef(svc, svcDef)],
      },
      ...body,
    });
    return;
  }
  if (
    canonical({ ...body, labels }) ===
    canonical({
      addressType: current.addressType,
      endpoints: current.endpoints,
      ports: current.ports,
      labels: current.metadata.labels,
    })
  )
    return;
  registry.update(sliceDef, ns, current.metadata.name ?? "", {
    ...current,
    ...body,
    metadata: { ...current.metadata, labels },
  });
}
