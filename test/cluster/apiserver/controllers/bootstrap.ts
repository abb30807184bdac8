import type { KubeObject } from "../../shared/kube-object.js";
import { resourceByPlural } from "../resource-table.js";
import type { Registry } from "../registry/registry.js";
import { bootstrapRbac } from "./bootstrap-rbac.js";

export const apiserverIp = "10.244.0.2";
export const nodeIp = "10.244.0.3";

function ensure(
  registry: Registry,
  group: string,
  plural: string,
  ns: string | undefined,
  obj: KubeObject,
): void {
  const def = resourceByPlural(group, plural);
  if (!registry.find(def, ns, obj.metadata.name ?? "")) registry.create(def, ns, obj);
}

/** The objects a fresh cluster has: system namespaces, the kubernetes and kube-dns Services, default RBAC. */
export function bootstrapObjects(registry: Registry): void {
  for (const ns of ["default", "kube-system", "kube-public", "kube-node-lease"])
    ensure(registry, "", "namespaces", undefined, { metadata: { name: ns } });
  ensure(registry, "", "services", "default", {
    metadata: { name: "kubernetes", labels: { component: "apiserver", provider: "kubernetes" } },
    spec: {
      clusterIP: "10.244.128.1",
      ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: 6443 }],
      type: "ClusterIP",
    },
  });
  ensure(registry, "", "endpoints", "default", {
    metadata: { name: "kubernetes", labels: { "endpointslice.kubernetes.io/skip-mirror": "true" } },
    subsets: [{ addresses: [{ ip: apiserverIp }], ports: [{ name: "https", port: 6443, protocol: "TCP" }] }],
  });
  ensure(registry, "discovery.k8s.io", "endpointslices", "default", {
    metadata: { name: "kubernetes", labels: { "kubernetes.io/service-name": "kubernetes" } },
    addressType: "IPv4",
    endpoints: [{ addresses: [apiserverIp], conditions: { ready: true } }],
    ports: [{ name: "https", port: 6443, protocol: "TCP" }],
  });
  const dnsLabels = {
    "k8s-app": "kube-dns",
    "kubernetes.io/cluster-service": "true",
    "kubernetes.io/name": "CoreDNS",
  };
  ensure(registry, "", "services", "kube-system", {
    metadata: {
      name: "kube-dns",
      labels: dnsLabels,
      annotations: { "prometheus.io/port": "9153", "prometheus.io/scrape": "true" },
    },
    spec: {
      clusterIP: "10.244.128.10",
      ports: [
        { name: "dns", port: 53, protocol: "UDP", targetPort: 53 },
        { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 },
      ],
      type: "ClusterIP",
    },
  });
  ensure(registry, "", "endpoints", "kube-system", {
    metadata: { name: "kube-dns", labels: dnsLabels },
    subsets: [
      {
        addresses: [{ ip: nodeIp, nodeName: "tp-test-node" }],
        ports: [
          { name: "dns", port: 53, protocol: "UDP" },
          { name: "dns-tcp", port: 53, protocol: "TCP" },
        ],
      },
    ],
  });
  ensure(registry, "discovery.k8s.io", "endpointslices", "kube-system", {
    metadata: { name: "kube-dns-tp", labels: { ...dnsLabels, "kubernetes.io/service-name": "kube-dns" } },
    addressType: "IPv4",
    endpoints: [
      {
        addresses: [nodeIp],
        conditions: { ready: true, serving: true, terminating: false },
        nodeName: "tp-test-node",
      },
    ],
    ports: [
      { name: "dns", port: 53, protocol: "UDP" },
      { name: "dns-tcp", port: 53, protocol: "TCP" },
    ],
  });
  const rbac = bootstrapRbac();
  for (const r of rbac.clusterRoles)
    ensure(registry, "rbac.authorization.k8s.io", "clusterroles", undefined, r);
  for (const b of rbac.bindings)
    ensure(registry, "rbac.authorization.k8s.io", "clusterrolebindings", undefined, b);
}
