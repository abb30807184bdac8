import { isJsonObject, type JsonObject, type KubeObject } from "../../shared/kube-object.js";
import type { FieldError } from "../http/api-error.js";
import { canonicalQuantity, cmpQuantity, formatQuantity, parseQuantity } from "../quota/quantity.js";
import { toResourceList, type ResourceList } from "../quota/resource-list.js";
import type { Strategy } from "./strategy.js";

const limitFields = ["max", "min", "default", "defaultRequest", "maxLimitRequestRatio"];

function items(lr: KubeObject): JsonObject[] {
  const spec = isJsonObject(lr.spec) ? lr.spec : {};
  return Array.isArray(spec.limits) ? spec.limits.filter(isJsonObject) : [];
}

function canonicalize(list: unknown): void {
  if (isJsonObject(list)) for (const k of Object.keys(list)) list[k] = canonicalQuantity(list[k]);
}

/**
 * SetDefaults_LimitRangeItem: for a Container item, `default` from `max` where unset,
 * `defaultRequest` from `default`, else from `min`.
 */
export function defaultLimitRange(lr: KubeObject): void {
  for (const item of items(lr)) {
    for (const f of limitFields) canonicalize(item[f]);
    if (item.type !== "Container") continue;
    const fill = (into: string, from: string) => {
      const source = isJsonObject(item[from]) ? item[from] : {};
      const target = isJsonObject(item[into]) ? item[into] : {};
      for (const [k, v] of Object.entries(source)) target[k] ??= v;
      if (Object.keys(target).length) item[into] = target;
    };
    fill("default", "max");
    fill("defaultRequest", "default");
    fill("defaultRequest", "min");
  }
}

/** ValidateLimitRange's rules between the bounds of one item. */
function validateLimitRange(lr: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  items(lr).forEach((item, i) => {
    const path = `spec.limits[${i}]`;
    const type = String(item.type ?? "");
    if (seen.has(type)) errs.push({ type: "FieldValueDuplicate", field: `${path}.type`, value: type });
    seen.add(type);
    const l = Object.fromEntries(limitFields.map((f) => [f, toResourceList(item[f])])) as Record<
      string,
      ResourceList
    >;
    if (type === "Pod")
      for (const f of ["default", "defaultRequest"])
        if (Object.keys(l[f]!).length)
          errs.push({
            type: "FieldValueForbidden",
            field: `${path}.${f}`,
            detail: "may not be specified when `type` is 'Pod'",
          });
    const check = (lowField: string, highField: string, lowName: string, highName: string, at: string) => {
      for (const [k, low] of Object.entries(l[lowField]!)) {
        const high = l[highField]![k];
        if (!high || cmpQuantity(low, high) <= 0) continue;
        const field = `${path}.${at === "low" ? lowField : highField}[${k}]`;
        const value = formatQuantity(at === "low" ? low : high);
        const detail = `${lowName} value ${formatQuantity(low)} is greater than ${highName} value ${formatQuantity(high)}`;
        errs.push({ type: "FieldValueInvalid", field, value, detail });
      }
    };
    check("min", "max", "min", "max", "low");
    check("min", "defaultRequest", "min", "default request", "high");
    check("defaultRequest", "max", "default request", "max", "low");
    check("defaultRequest", "default", "default request", "default limit", "low");
    check("min", "default", "min", "default", "high");
    check("default", "max", "default", "max", "low");
  });
  return errs;
}

export const limitRangeStrategy: Strategy = {
  decodeDefaults: defaultLimitRange,
  validate: validateLimitRange,
};

const standardScopes = [
  "Terminating",
  "NotTerminating",
  "BestEffort",
  "NotBestEffort",
  "PriorityClass",
  "CrossNamespacePodAffinity",
];

const computeResources = ["cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory"];
const standardResources = [
  ...computeResources,
  "pods",
  "services",
  "replicationcontrollers",
  "resourcequotas",
  "secrets",
  "configmaps",
  "persistentvolumeclaims",
  "services.nodeports",
  "services.loadbalancers",
  "requests.storage",
  "ephemeral-storage",
  "requests.ephemeral-storage",
  "limits.ephemeral-storage",
];

/** IsResourceQuotaScopeValidForResource, for the standard resource names. */
function scopeValidFor(scope: string, resource: string): boolean {
  if (!standardResources.includes(resource)) return true;
  if (scope === "BestEffort") return resource === "pods";
  return resource === "pods" || computeResources.includes(resource);
}

function validateResourceQuota(q: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = isJsonObject(q.spec) ? q.spec : {};
  const hard = isJsonObject(spec.hard) ? spec.hard : {};
  for (const [k, v] of Object.entries(hard)) {
    const parsed = parseQuantity(v);
    if (parsed && parsed.nanos < 0n)
      errs.push({
        type: "FieldValueInvalid",
        field: `spec.hard[${k}]`,
        value: String(v),
        detail: "must be greater than or equal to 0",
      });
  }
  const scopes = Array.isArray(spec.scopes) ? spec.scopes.map(String) : [];
  const invalid = (detail: string) =>
    errs.push({ type: "FieldValueInvalid", field: "spec.scopes", value: scopes, detail });
  for (const s of scopes) {
    if (!standardScopes.includes(s)) invalid("unsupported scope");
    else if (Object.keys(hard).some((k) => !scopeValidFor(s, k)))
      invalid("unsupported scope applied to resource");
  }
  for (const [a, b] of [
    ["BestEffort", "NotBestEffort"],
    ["Terminating", "NotTerminating"],
  ])
    if (scopes.includes(a!) && scopes.includes(b!)) invalid("conflicting scopes");
  return errs;
}

export const resourceQuotaStrategy: Strategy = {
  hasStatus: true,
  decodeDefaults(q) {
    if (isJsonObject(q.spec)) canonicalize(q.spec.hard);
    if (isJsonObject(q.status)) for (const f of ["hard", "used"]) canonicalize(q.status[f]);
  },
  prepareForCreate(q) {
    q.status = {};
  },
  validate: validateResourceQuota,
};
