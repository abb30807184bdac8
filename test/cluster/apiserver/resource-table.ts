import type { KubeObject } from "../shared/kube-object.js";
import { hpaV1ToV2, hpaV2ToV1 } from "./registry/hpa-conversion.js";

/** Every resource the test API server serves; routing, discovery, OpenAPI and RBAC read this table. */
export interface SubresourceDef {
  name: string;
  /** The kind the subresource speaks, when it differs from the parent's. */
  group?: string;
  version?: string;
  kind?: string;
  verbs: string[];
}

export interface ResourceDef {
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  subresources: SubresourceDef[];
  /** Fields usable in fieldSelector besides metadata.name and metadata.namespace. */
  selectableFields?: string[];
  /** DELETE answers with the object rather than a Success Status. */
  returnsDeletedObject?: boolean;
  /** The scale subresource of a custom resource: where its replicas and selector live. */
  scalePaths?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
  /** Served from a CustomResourceDefinition (added and removed while the server runs). */
  custom?: boolean;
  /** Served in this version but stored in another: conversions both ways. */
  storage?: { version: string; toStorage(o: KubeObject): KubeObject; fromStorage(o: KubeObject): KubeObject };
}

const allVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
export const statusSubresource: SubresourceDef = { name: "status", verbs: ["get", "patch", "update"] };
export const scaleSubresource: SubresourceDef = {
  name: "scale",
  group: "autoscaling",
  version: "v1",
  kind: "Scale",
  verbs: ["get", "patch", "update"],
};

export function def(
  group: string,
  version: string,
  kind: string,
  plural: string,
  namespaced: boolean,
  extra: Partial<ResourceDef> = {},
): ResourceDef {
  return {
    group,
    version,
    kind,
    plural,
    singular: kind.toLowerCase(),
    namespaced,
    verbs: allVerbs,
    subresources: [],
    ...extra,
  };
}

export const resources: ResourceDef[] = [
  def("", "v1", "Namespace", "namespaces", false, {
    verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
    shortNames: ["ns"],
    subresources: [statusSubresource, { name: "finalize", verbs: ["update"] }],
    selectableFields: ["status.phase"],
    returnsDeletedObject: true,
  }),
  def("", "v1", "Node", "nodes", false, {
    shortNames: ["no"],
    subresources: [statusSubresource],
    selectableFields: ["spec.unschedulable"],
    returnsDeletedObject: true,
  }),
  def("", "v1", "Pod", "pods", true, {
    shortNames: ["po"],
    categories: ["all"],
    subresources: [
      statusSubresource,
      { name: "log", verbs: ["get"] },
      { name: "exec", kind: "PodExecOptions", verbs: ["create", "get"] },
      { name: "attach", kind: "PodAttachOptions", verbs: ["create", "get"] },
      { name: "portforward", kind: "PodPortForwardOptions", verbs: ["create", "get"] },
      { name: "binding", kind: "Binding", verbs: ["create"] },
      { name: "eviction", group: "policy", version: "v1", kind: "Eviction", verbs: ["create"] },
    ],
    selectableFields: [
      "spec.nodeName",
      "spec.restartPolicy",
      "spec.schedulerName",
      "spec.serviceAccountName",
      "spec.hostNetwork",
      "status.phase",
      "status.podIP",
      "status.nominatedNodeName",
    ],
    returnsDeletedObject: true,
  }),
  def("", "v1", "Service", "services", true, {
    verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
    shortNames: ["svc"],
    categories: ["all"],
    subresources: [statusSubresource],
    returnsDeletedObject: true,
  }),
  def("", "v1", "Endpoints", "endpoints", true, { singular: "endpoints", shortNames: ["ep"] }),
  def("", "v1", "ConfigMap", "configmaps", true, { shortNames: ["cm"] }),
  def("", "v1", "Secret", "secrets", true, { selectableFields: ["type"] }),
  def("", "v1", "ServiceAccount", "serviceaccounts", true, {
    shortNames: ["sa"],
    subresources: [
      {
        name: "token",
        group: "authentication.k8s.io",
        version: "v1",
        kind: "TokenRequest",
        verbs: ["create"],
      },
    ],
  }),
  def("", "v1", "ResourceQuota", "resourcequotas", true, {
    shortNames: ["quota"],
    subresources: [statusSubresource],
  }),
  def("", "v1", "LimitRange", "limitranges", true, { shortNames: ["limits"] }),
  def("", "v1", "Event", "events", true, {
    shortNames: ["ev"],
    selectableFields: [
      "involvedObject.kind",
      "involvedObject.namespace",
      "involvedObject.name",
      "involvedObject.uid",
      "involvedObject.apiVersion",
      "involvedObject.resourceVersion",
      "involvedObject.fieldPath",
      "reason",
      "reportingComponent",
      "source",
      "type",
    ],
  }),
  def("apps", "v1", "Deployment", "deployments", true, {
    shortNames: ["deploy"],
    categories: ["all"],
    subresources: [statusSubresource, scaleSubresource],
  }),
  def("apps", "v1", "ReplicaSet", "replicasets", true, {
    shortNames: ["rs"],
    categories: ["all"],
    subresources: [statusSubresource, scaleSubresource],
    selectableFields: ["status.replicas"],
  }),
  def("apps", "v1", "StatefulSet", "statefulsets", true, {
    shortNames: ["sts"],
    categories: ["all"],
    subresources: [statusSubresource, scaleSubresource],
  }),
  def("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", true, {
    shortNames: ["pvc"],
    subresources: [statusSubresource],
  }),
  def("", "v1", "PersistentVolume", "persistentvolumes", false, {
    shortNames: ["pv"],
    subresources: [statusSubresource],
  }),
  def("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", false, {
    shortNames: ["crd", "crds"],
    categories: ["api-extensions"],
    subresources: [statusSubresource],
  }),
  def("coordination.k8s.io", "v1", "Lease", "leases", true),
  def("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", true),
  def("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true, {
    shortNames: ["hpa"],
    categories: ["all"],
    subresources: [statusSubresource],
  }),
  def("autoscaling", "v1", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true, {
    shortNames: ["hpa"],
    categories: ["all"],
    subresources: [statusSubresource],
    storage: { version: "v2", toStorage: hpaV1ToV2, fromStorage: hpaV2ToV1 },
  }),
  // Kept as a real server keeps them, for manifests that carry them beside their workloads; the
  // test cluster enforces no policy and routes no Ingress (a budget is kept by its controller and
  // read by evictions).
  def("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", true, { shortNames: ["netpol"] }),
  def("networking.k8s.io", "v1", "Ingress", "ingresses", true, {
    shortNames: ["ing"],
    subresources: [statusSubresource],
  }),
  def("networking.k8s.io", "v1", "IngressClass", "ingressclasses", false),
  def("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", true, {
    shortNames: ["pdb"],
    subresources: [statusSubresource],
  }),
  def("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", false, { shortNames: ["pc"] }),
  def("storage.k8s.io", "v1", "StorageClass", "storageclasses", false, { shortNames: ["sc"] }),
  def("rbac.authorization.k8s.io", "v1", "Role", "roles", true),
  def("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", true),
  def("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", false),
  def("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", false),
];

/** Resources that are only ever POSTed and answered (reviews); served but never stored. */
export const virtualResources: ResourceDef[] = [
  def("authentication.k8s.io", "v1", "TokenReview", "tokenreviews", false, { verbs: ["create"] }),
  def("authentication.k8s.io", "v1", "SelfSubjectReview", "selfsubjectreviews", false, { verbs: ["create"] }),
  def("authorization.k8s.io", "v1", "SelfSubjectAccessReview", "selfsubjectaccessreviews", false, {
    verbs: ["create"],
  }),
  def("authorization.k8s.io", "v1", "SubjectAccessReview", "subjectaccessreviews", false, {
    verbs: ["create"],
  }),
];

export const servedResources = [...resources, ...virtualResources];

/** Serve a resource from now on (a CustomResourceDefinition was established). */
export function addResource(r: ResourceDef): void {
  removeResource(r.group, r.plural, r.version);
  resources.push(r);
  servedResources.push(r);
}

/** Stop serving a resource (all its versions when none is named). */
export function removeResource(group: string, plural: string, version?: string): void {
  const gone = (x: ResourceDef) =>
    x.group === group && x.plural === plural && (version === undefined || x.version === version);
  for (const list of [resources, servedResources]) {
    for (let i = list.length - 1; i >= 0; i--) if (gone(list[i] as ResourceDef)) list.splice(i, 1);
  }
}

export function apiVersionOf(r: { group: string; version: string }): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** The store's key for a resource: "apps/deployments", "/pods". */
export function resourceKey(r: { group: string; plural: string }): string {
  return `${r.group}/${r.plural}`;
}

export function findResource(group: string, version: string, plural: string): ResourceDef | undefined {
  return servedResources.find((r) => r.group === group && r.version === version && r.plural === plural);
}

export function resourceByKind(apiVersion: string, kind: string): ResourceDef | undefined {
  return resources.find((r) => apiVersionOf(r) === apiVersion && r.kind === kind);
}

/** The definition objects are stored under (itself, unless it is served in another version). */
export function storageDef(def: ResourceDef): ResourceDef {
  if (!def.storage) return def;
  return (
    resources.find(
      (r) => r.group === def.group && r.plural === def.plural && r.version === def.storage!.version,
    ) ?? def
  );
}

/** An object as the client's version shows it. */
export function toServed(def: ResourceDef, o: KubeObject): KubeObject {
  return def.storage ? def.storage.fromStorage(o) : o;
}

export function resourceByPlural(group: string, plural: string): ResourceDef {
  const r = resources.find((x) => x.group === group && x.plural === plural && !x.storage);
  if (!r) throw new Error(`unknown resource ${group}/${plural}`);
  return r;
}

/** Group versions in discovery order. */
export function groupVersions(): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const r of servedResources) seen.set(apiVersionOf(r), { group: r.group, version: r.version });
  return [...seen.values()];
}
