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
  /** Served in this version but stored in another: conversions both ways. */
  storage?: { version: string; toStorage(o: KubeObject): KubeObject; fromStorage(o: KubeObject): KubeObject };
}

const allVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
const status: SubresourceDef = { name: "status", verbs: ["get", "patch", "update"] };
const scale: SubresourceDef = {
  name: "scale",
  group: "autoscaling",
  version: "v1",
  kind: "Scale",
  verbs: ["get", "patch", "update"],
};

function def(
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
    subresources: [status, { name: "finalize", verbs: ["update"] }],
    selectableFields: ["status.phase"],
    returnsDeletedObject: true,
  }),
  def("", "v1", "Node", "nodes", false, {
    shortNames: ["no"],
    subresources: [status],
    selectableFields: ["spec.unschedulable"],
    returnsDeletedObject: true,
  }),
  def("", "v1", "Pod", "pods", true, {
    shortNames: ["po"],
    categories: ["all"],
    subresources: [
      status,
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
    subresources: [status],
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
    subresources: [status, scale],
  }),
  def("apps", "v1", "ReplicaSet", "replicasets", true, {
    shortNames: ["rs"],
    categories: ["all"],
    subresources: [status, scale],
    selectableFields: ["status.replicas"],
  }),
  def("coordination.k8s.io", "v1", "Lease", "leases", true),
  def("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", true),
  def("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true, {
    shortNames: ["hpa"],
    categories: ["all"],
    subresources: [status],
  }),
  def("autoscaling", "v1", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true, {
    shortNames: ["hpa"],
    categories: ["all"],
    subresources: [status],
    storage: { version: "v2", toStorage: hpaV1ToV2, fromStorage: hpaV2ToV1 },
  }),
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
