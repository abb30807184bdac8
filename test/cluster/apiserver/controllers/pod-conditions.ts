import {
  isJsonObject,
  type JsonObject,
  type KubeObject,
  type OwnerReference,
} from "../../shared/kube-object.js";
import { apiVersionOf, type ResourceDef } from "../resource-table.js";

export function conditions(o: KubeObject): JsonObject[] {
  const st = isJsonObject(o.status) ? o.status : {};
  return Array.isArray(st.conditions) ? st.conditions.filter(isJsonObject) : [];
}

export function isPodReady(pod: KubeObject): boolean {
  return conditions(pod).some((c) => c.type === "Ready" && c.status === "True");
}

/** Ready for at least minReadySeconds (podutil.IsPodAvailable). */
export function isPodAvailable(pod: KubeObject, minReadySeconds: number, now = Date.now()): boolean {
  const c = conditions(pod).find((x) => x.type === "Ready" && x.status === "True");
  if (!c) return false;
  if (minReadySeconds <= 0) return true;
  const since = Date.parse(String(c.lastTransitionTime ?? ""));
  return Number.isFinite(since) && since + minReadySeconds * 1000 <= now;
}

export function podPhase(pod: KubeObject): string {
  return isJsonObject(pod.status) ? String(pod.status.phase ?? "") : "";
}

/** Counted by controllers: not terminal and not being deleted. */
export function isPodActive(pod: KubeObject): boolean {
  const phase = podPhase(pod);
  return phase !== "Succeeded" && phase !== "Failed" && !pod.metadata.deletionTimestamp;
}

export function controllerOf(o: KubeObject): OwnerReference | undefined {
  return o.metadata.ownerReferences?.find((r) => r.controller);
}

export function controllerRef(owner: KubeObject, def: ResourceDef): OwnerReference {
  return {
    apiVersion: apiVersionOf(def),
    kind: def.kind,
    name: owner.metadata.name ?? "",
    uid: owner.metadata.uid ?? "",
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** The namespace/name keys of the controllers of `kind` that own the object of a change, before and after. */
export function controllerKeys(object: KubeObject, old: KubeObject | undefined, kind: string): string[] {
  const keys: string[] = [];
  for (const o of [object, old]) {
    const ref = o && controllerOf(o);
    if (o && ref?.kind === kind) keys.push(`${o.metadata.namespace ?? ""}/${ref.name}`);
  }
  return keys;
}
