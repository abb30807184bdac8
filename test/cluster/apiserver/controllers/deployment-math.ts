import { isJsonObject, type JsonObject, type KubeObject } from "../../shared/kube-object.js";
import { canonical } from "../registry/canonical.js";
import { fnv32a, safeEncode } from "../registry/names.js";

export const hashLabel = "pod-template-hash";
export const revisionAnnotation = "deployment.kubernetes.io/revision";

export function replicasOf(o: KubeObject | undefined): number {
  const s = o && isJsonObject(o.spec) ? o.spec : {};
  return typeof s.replicas === "number" ? s.replicas : 0;
}

export function statusNum(o: KubeObject | undefined, field: string): number {
  const s = o && isJsonObject(o.status) ? o.status : {};
  return typeof s[field] === "number" ? (s[field] as number) : 0;
}

export function templateOf(o: KubeObject): JsonObject {
  const s = isJsonObject(o.spec) ? o.spec : {};
  return isJsonObject(s.template) ? s.template : {};
}

/** The pod template without the hash label, for comparing a ReplicaSet with its Deployment. */
export function templateKey(template: JsonObject): string {
  const t = structuredClone(template);
  const meta = isJsonObject(t.metadata) ? t.metadata : {};
  if (isJsonObject(meta.labels)) {
    delete meta.labels[hashLabel];
    if (!Object.keys(meta.labels).length) delete meta.labels;
  }
  t.metadata = meta;
  return canonical(t);
}

/** controller.ComputeHash: FNV-32a of the template (and collision count), safe-encoded. */
export function templateHash(template: JsonObject, collisionCount = 0): string {
  let text = templateKey(template);
  if (collisionCount) text += String(collisionCount);
  return safeEncode(String(fnv32a(text)));
}

/** intstr.GetScaledValueFromIntOrPercent. */
export function scaled(v: unknown, total: number, roundUp: boolean): number {
  if (typeof v === "number") return v;
  const m = /^(\d+)%$/.exec(String(v ?? "0"));
  if (!m) return Number(v) || 0;
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

export function surgeAndUnavailable(d: KubeObject): { maxSurge: number; maxUnavailable: number } {
  const spec = isJsonObject(d.spec) ? d.spec : {};
  const strategy = isJsonObject(spec.strategy) ? spec.strategy : {};
  const desired = replicasOf(d);
  if (strategy.type === "Recreate") return { maxSurge: 0, maxUnavailable: desired };
  const ru = isJsonObject(strategy.rollingUpdate) ? strategy.rollingUpdate : {};
  const maxSurge = scaled(ru.maxSurge ?? "25%", desired, true);
  let maxUnavailable = scaled(ru.maxUnavailable ?? "25%", desired, false);
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable: Math.min(maxUnavailable, desired) };
}

export function revisionOf(rs: KubeObject): number {
  return Number(rs.metadata.annotations?.[revisionAnnotation] ?? 0) || 0;
}
