/**
 * Patch strategies of the fields the strategic merge patch knows (the `patchStrategy` and
 * `patchMergeKey` struct tags of k8s.io/api), looked up by field name and where it sits.
 */
export interface ListStrategy {
  merge: boolean;
  mergeKey?: string;
}

const byName: Record<string, string | true> = {
  containers: "name",
  initContainers: "name",
  ephemeralContainers: "name",
  env: "name",
  volumes: "name",
  volumeMounts: "mountPath",
  volumeDevices: "devicePath",
  imagePullSecrets: "name",
  hostAliases: "ip",
  conditions: "type",
  ownerReferences: "uid",
  finalizers: true,
  resourceClaims: "name",
  schedulingGates: "name",
  topologySpreadConstraints: "topologyKey",
  addresses: "type",
};

/** `path` is the chain of field names from the object's root (list items add nothing). */
export function listStrategy(path: string[], kind: string): ListStrategy {
  const field = path[path.length - 1] ?? "";
  const parent = path[path.length - 2] ?? "";
  if (field === "ports") {
    if (["containers", "initContainers", "ephemeralContainers"].includes(parent))
      return { merge: true, mergeKey: "containerPort" };
    if (kind === "Service" && parent === "spec") return { merge: true, mergeKey: "port" };
    return { merge: false };
  }
  if (field === "addresses" && kind !== "Node") return { merge: false };
  if (field === "conditions" && parent !== "status") return { merge: false };
  const s = byName[field];
  if (s === undefined) return { merge: false };
  return s === true ? { merge: true } : { merge: true, mergeKey: s };
}
