import { isJsonObject, type JsonObject, type KubeObject } from "../../shared/kube-object.js";
import type { FieldError } from "../http/api-error.js";
import type { Strategy } from "./strategy.js";
import { defaultTemplate, validateWorkload } from "./workload-strategy.js";

/** The spec fields of a StatefulSet that an update may change (apps/validation). */
const mutable = [
  "replicas",
  "ordinals",
  "template",
  "updateStrategy",
  "persistentVolumeClaimRetentionPolicy",
  "minReadySeconds",
];

function spec(obj: KubeObject): JsonObject {
  if (!isJsonObject(obj.spec)) obj.spec = {};
  return obj.spec as JsonObject;
}

/** Defaults of apps/v1 StatefulSetSpec (pkg/apis/apps/v1/defaults.go). */
function defaults(s: JsonObject): void {
  s.replicas ??= 1;
  s.podManagementPolicy ??= "OrderedReady";
  s.revisionHistoryLimit ??= 10;
  if (!isJsonObject(s.updateStrategy)) s.updateStrategy = {};
  const u = s.updateStrategy as JsonObject;
  u.type ??= "RollingUpdate";
  if (u.type === "RollingUpdate") {
    if (!isJsonObject(u.rollingUpdate)) u.rollingUpdate = {};
    (u.rollingUpdate as JsonObject).partition ??= 0;
  }
  if (!isJsonObject(s.persistentVolumeClaimRetentionPolicy)) s.persistentVolumeClaimRetentionPolicy = {};
  const r = s.persistentVolumeClaimRetentionPolicy as JsonObject;
  r.whenDeleted ??= "Retain";
  r.whenScaled ??= "Retain";
  for (const t of Array.isArray(s.volumeClaimTemplates) ? s.volumeClaimTemplates : []) {
    if (!isJsonObject(t)) continue;
    t.apiVersion ??= "v1";
    t.kind ??= "PersistentVolumeClaim";
    if (!isJsonObject(t.spec)) t.spec = {};
    (t.spec as JsonObject).volumeMode ??= "Filesystem";
    t.status ??= { phase: "Pending" };
  }
  defaultTemplate(s);
}

function validate(obj: KubeObject, old?: KubeObject): FieldError[] {
  const errs = validateWorkload(obj, old);
  const s = spec(obj);
  for (const [i, t] of (Array.isArray(s.volumeClaimTemplates) ? s.volumeClaimTemplates : []).entries()) {
    const name = isJsonObject(t) && isJsonObject(t.metadata) ? t.metadata.name : undefined;
    if (typeof name !== "string" || !name)
      errs.push({ type: "FieldValueRequired", field: `spec.volumeClaimTemplates[${i}].metadata.name` });
  }
  if (old) {
    const before = { ...(old.spec as JsonObject) };
    const after = { ...s };
    for (const k of mutable) {
      delete before[k];
      delete after[k];
    }
    if (JSON.stringify(before) !== JSON.stringify(after))
      errs.push({
        type: "FieldValueForbidden",
        field: "spec",
        detail:
          "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      });
  }
  return errs;
}

export const statefulSetStrategy: Strategy = {
  tracksGeneration: true,
  hasStatus: true,
  prepareForCreate(o) {
    defaults(spec(o));
    o.status = { replicas: 0, availableReplicas: 0 };
  },
  prepareForUpdate(o) {
    defaults(spec(o));
  },
  validate: (o, _ctx, old) => validate(o, old),
};

function validateClaim(o: KubeObject, old?: KubeObject): FieldError[] {
  const s = spec(o);
  const errs: FieldError[] = [];
  if (!Array.isArray(s.accessModes) || !s.accessModes.length)
    errs.push({ type: "FieldValueRequired", field: "spec.accessModes" });
  const requests =
    isJsonObject(s.resources) && isJsonObject(s.resources.requests) ? s.resources.requests : {};
  if (requests.storage === undefined)
    errs.push({ type: "FieldValueRequired", field: "spec.resources[storage]" });
  if (old) {
    // Only the requested size and the binding may change (a bound claim's volumeName is set once).
    const strip = (x: JsonObject) => ({ ...x, resources: undefined, volumeName: undefined });
    const before = old.spec as JsonObject;
    if (
      JSON.stringify(strip(before)) !== JSON.stringify(strip(s)) ||
      (before.volumeName && before.volumeName !== s.volumeName)
    )
      errs.push({
        type: "FieldValueForbidden",
        field: "spec",
        detail:
          "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims",
      });
  }
  return errs;
}

export const persistentVolumeClaimStrategy: Strategy = {
  hasStatus: true,
  prepareForCreate(o) {
    spec(o).volumeMode ??= "Filesystem";
    o.status = { phase: "Pending" };
  },
  validate: (o, _ctx, old) => validateClaim(o, old),
};

export const persistentVolumeStrategy: Strategy = {
  hasStatus: true,
  prepareForCreate(o) {
    const s = spec(o);
    s.volumeMode ??= "Filesystem";
    s.persistentVolumeReclaimPolicy ??= "Retain";
    o.status = { phase: "Pending" };
  },
};
