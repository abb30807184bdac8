import { isJsonObject } from "../../shared/kube-object.js";

/**
 * The fields each kind declares, for fieldValidation (Strict rejects unknown fields, Warn reports
 * them): the top level, metadata, and the pod template's containers, where typos are common.
 */
const common = ["apiVersion", "kind", "metadata"];
const specStatus = ["spec", "status"];
const topLevel: Record<string, string[]> = {
  ConfigMap: ["data", "binaryData", "immutable"],
  Secret: ["data", "stringData", "type", "immutable"],
  Endpoints: ["subsets"],
  EndpointSlice: ["addressType", "endpoints", "ports"],
  ServiceAccount: ["secrets", "imagePullSecrets", "automountServiceAccountToken"],
  Event: [
    "involvedObject",
    "reason",
    "message",
    "source",
    "firstTimestamp",
    "lastTimestamp",
    "count",
    "type",
    "eventTime",
    "series",
    "action",
    "related",
    "reportingComponent",
    "reportingInstance",
  ],
  NetworkPolicy: ["spec"],
  IngressClass: ["spec"],
  PriorityClass: ["value", "globalDefault", "description", "preemptionPolicy"],
  StorageClass: [
    "provisioner",
    "parameters",
    "reclaimPolicy",
    "mountOptions",
    "allowVolumeExpansion",
    "volumeBindingMode",
    "allowedTopologies",
  ],
  Role: ["rules"],
  ClusterRole: ["rules", "aggregationRule"],
  RoleBinding: ["subjects", "roleRef"],
  ClusterRoleBinding: ["subjects", "roleRef"],
};

const metadataFields = [
  "name",
  "generateName",
  "namespace",
  "selfLink",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "labels",
  "annotations",
  "ownerReferences",
  "finalizers",
  "managedFields",
];

const containerFields = [
  "name",
  "image",
  "command",
  "args",
  "workingDir",
  "ports",
  "envFrom",
  "env",
  "resources",
  "resizePolicy",
  "restartPolicy",
  "volumeMounts",
  "volumeDevices",
  "livenessProbe",
  "readinessProbe",
  "startupProbe",
  "lifecycle",
  "terminationMessagePath",
  "terminationMessagePolicy",
  "imagePullPolicy",
  "securityContext",
  "stdin",
  "stdinOnce",
  "tty",
];

function unknownIn(obj: unknown, known: string[], path: string): string[] {
  if (!isJsonObject(obj)) return [];
  return Object.keys(obj)
    .filter((k) => !known.includes(k))
    .map((k) => (path ? `${path}.${k}` : k));
}

function containersOf(podSpec: unknown, path: string): string[] {
  if (!isJsonObject(podSpec)) return [];
  const out: string[] = [];
  for (const list of ["containers", "initContainers"]) {
    const cs = podSpec[list];
    if (Array.isArray(cs))
      cs.forEach((c, i) => out.push(...unknownIn(c, containerFields, `${path}.${list}[${i}]`)));
  }
  return out;
}

export function unknownFields(kind: string, obj: Record<string, unknown>): string[] {
  const top = [...common, ...(topLevel[kind] ?? specStatus)];
  const out = [...unknownIn(obj, top, ""), ...unknownIn(obj.metadata, metadataFields, "metadata")];
  const spec = obj.spec;
  if (kind === "Pod") out.push(...containersOf(spec, "spec"));
  if (["Deployment", "ReplicaSet"].includes(kind) && isJsonObject(spec) && isJsonObject(spec.template))
    out.push(...containersOf(spec.template.spec, "spec.template.spec"));
  return out;
}
