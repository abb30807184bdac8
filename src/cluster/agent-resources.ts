import type {
  V1LimitRange,
  V1ResourceQuota,
  V1ResourceRequirements,
  V1ScopedResourceSelectorRequirement,
} from "@kubernetes/client-node";
import { TpError } from "../errors.js";
import { kubeCall } from "../kube/kube-call.js";
import type { Kube } from "../kube/kube.js";
import { parseQuantity, type Fraction } from "./quantity.js";

/**
 * What tp's own pods (warden, router, temporary proxy, new deployment) ask for where the namespace
 * requires it. Where nothing requires it they ask for nothing, as before: a small agent needs
 * no reservation, and a limit could only hurt it.
 */
export const agentAsk = {
  requests: { cpu: "10m", memory: "64Mi" },
  limits: { cpu: "1", memory: "256Mi" },
} as const;

type Kind = "cpu" | "memory";
type Side = "requests" | "limits";

/** The quota resources that make every container state a value (quota's validationSet), and what they need. */
const needs: Record<string, [Side, Kind][]> = {
  cpu: [["requests", "cpu"]],
  "requests.cpu": [["requests", "cpu"]],
  // A limit alone would make the request default to it and take that much of the quota.
  "limits.cpu": [
    ["limits", "cpu"],
    ["requests", "cpu"],
  ],
  memory: [["requests", "memory"]],
  "requests.memory": [["requests", "memory"]],
  "limits.memory": [
    ["limits", "memory"],
    ["requests", "memory"],
  ],
};

/** Whether a scope of a quota takes in one of tp's pods (no deadline, no priority class). */
function scopeMatches(scope: V1ScopedResourceSelectorRequirement, bestEffort: boolean): boolean {
  switch (scope.scopeName) {
    case "Terminating":
    case "CrossNamespacePodAffinity":
      return false;
    case "NotTerminating":
      return true;
    case "BestEffort":
      return bestEffort;
    case "NotBestEffort":
      return !bestEffort;
    case "PriorityClass":
      // A pod without a priority class matches only "DoesNotExist" and "NotIn".
      return scope.operator === "DoesNotExist" || scope.operator === "NotIn";
    default:
      return false;
  }
}

function quotaMatches(quota: V1ResourceQuota, bestEffort: boolean): boolean {
  const scopes = [
    ...(quota.spec?.scopes ?? []).map((scopeName) => ({ scopeName, operator: "Exists" })),
    ...(quota.spec?.scopeSelector?.matchExpressions ?? []),
  ];
  return scopes.every((s) => scopeMatches(s, bestEffort));
}

function required(quotas: V1ResourceQuota[], bestEffort: boolean): Set<string> {
  const out = new Set<string>();
  for (const q of quotas) {
    if (!quotaMatches(q, bestEffort)) continue;
    for (const key of Object.keys(q.spec?.hard ?? {}))
      for (const [side, kind] of needs[key] ?? []) out.add(`${side}.${kind}`);
  }
  return out;
}

const cmp = (a: Fraction, b: Fraction): number => {
  const x = a.n * b.d;
  const y = b.n * a.d;
  return x < y ? -1 : x > y ? 1 : 0;
};

/** A quantity with its text, so that a value taken from an object is written as it was. */
interface Value {
  f: Fraction;
  t: string;
}
const value = (t: string | undefined): Value | undefined => {
  const f = t === undefined ? undefined : parseQuantity(t);
  return f && t !== undefined ? { f, t } : undefined;
};

interface Bounds {
  min?: Value;
  max?: Value;
  ratio?: Fraction;
  /** The limit LimitRanger fills in where none is set (the item's default, else its max). */
  defaultLimit?: Value;
}

/** The tightest of the namespace's LimitRange items of type Container or Pod for one resource. */
function bounds(ranges: V1LimitRange[], kind: Kind): Bounds {
  const b: Bounds = {};
  for (const range of ranges) {
    for (const item of range.spec?.limits ?? []) {
      if (item.type !== "Container" && item.type !== "Pod") continue;
      const min = value(item.min?.[kind]);
      const max = value(item.max?.[kind]);
      const ratio = value(item.maxLimitRequestRatio?.[kind]);
      if (min && (!b.min || cmp(min.f, b.min.f) > 0)) b.min = min;
      if (max && (!b.max || cmp(max.f, b.max.f) < 0)) b.max = max;
      if (ratio && (!b.ratio || cmp(ratio.f, b.ratio) < 0)) b.ratio = ratio.f;
      if (item.type === "Container") {
        const d = value(item._default?.[kind]) ?? max;
        if (d && (!b.defaultLimit || cmp(d.f, b.defaultLimit.f) < 0)) b.defaultLimit = d;
      }
    }
  }
  return b;
}

/** Keep a value within [min, max]. */
function clamp(v: Value, b: Bounds): Value {
  if (b.min && cmp(v.f, b.min.f) < 0) v = b.min;
  if (b.max && cmp(v.f, b.max.f) > 0) v = b.max;
  return v;
}

/** limit / ratio, rounded up to a whole milli-unit (cpu) or byte (memory). */
function atRatio(limit: Fraction, ratio: Fraction, kind: Kind): Value {
  const scale = kind === "cpu" ? 1000n : 1n;
  const num = limit.n * ratio.d * scale;
  const den = limit.d * ratio.n;
  const whole = (num + den - 1n) / den;
  return { f: { n: whole, d: scale }, t: kind === "cpu" ? `${whole}m` : String(whole) };
}

/**
 * The resources tp's pods state in a namespace with these quotas and limit ranges: only what a
 * quota makes every container state (with the ones a quota scoped to pods that state resources
 * then asks for too), each kept within the limit ranges' bounds so that LimitRanger admits it.
 * Undefined where nothing is required.
 */
export function agentResources(
  quotas: V1ResourceQuota[],
  ranges: V1LimitRange[],
): V1ResourceRequirements | undefined {
  let need = required(quotas, true);
  if (need.size === 0) return undefined;
  need = new Set([...need, ...required(quotas, false)]);
  const out: { requests: Record<string, string>; limits: Record<string, string> } = {
    requests: {},
    limits: {},
  };
  for (const kind of ["cpu", "memory"] as const) {
    const b = bounds(ranges, kind);
    const limit = need.has(`limits.${kind}`) ? clamp(value(agentAsk.limits[kind]) as Value, b) : undefined;
    if (limit) out.limits[kind] = limit.t;
    if (!need.has(`requests.${kind}`)) continue;
    let request = clamp(value(agentAsk.requests[kind]) as Value, b);
    const ceiling = limit ?? b.defaultLimit;
    if (ceiling && cmp(request.f, ceiling.f) > 0) request = ceiling;
    // maxLimitRequestRatio: limit / request may not exceed it, so the request grows.
    if (ceiling && b.ratio) {
      const least = atRatio(ceiling.f, b.ratio, kind);
      if (cmp(request.f, least.f) < 0) request = least;
    }
    out.requests[kind] = request.t;
  }
  return {
    ...(Object.keys(out.requests).length ? { requests: out.requests } : {}),
    ...(Object.keys(out.limits).length ? { limits: out.limits } : {}),
  };
}

/** A namespace's ResourceQuotas (or why they cannot be read) and LimitRanges. */
export interface NamespaceLimits {
  quotas: V1ResourceQuota[] | { error: string };
  ranges: V1LimitRange[];
}

const read = new WeakMap<Kube, Map<string, Promise<NamespaceLimits>>>();

/** The namespace's quotas and limit ranges, read once per Kube (limit ranges not readable: none). */
export function namespaceLimits(kube: Kube, namespace: string): Promise<NamespaceLimits> {
  let byNs = read.get(kube);
  if (!byNs) read.set(kube, (byNs = new Map()));
  let found = byNs.get(namespace);
  if (!found) {
    found = Promise.all([
      kubeCall(`list resourcequotas in ${namespace}`, () =>
        kube.core.listNamespacedResourceQuota({ namespace }),
      ).then(
        (l) => l.items,
        (err: Error) => ({ error: err.message }),
      ),
      kubeCall(`list limitranges in ${namespace}`, () =>
        kube.core.listNamespacedLimitRange({ namespace }),
      ).then(
        (l) => l.items,
        () => [],
      ),
    ]).then(([quotas, ranges]) => ({ quotas, ranges }));
    byNs.set(namespace, found);
  }
  return found;
}

/**
 * {@link agentResources} for a namespace. Where the user may not list quotas or limit ranges, tp's
 * pods ask for nothing (admission then says what is missing).
 */
export async function agentResourcesIn(
  kube: Kube,
  namespace: string,
): Promise<V1ResourceRequirements | undefined> {
  const { quotas, ranges } = await namespaceLimits(kube, namespace);
  return agentResources(Array.isArray(quotas) ? quotas : [], ranges);
}

/** Give each container of one of tp's own pod specs these resources (none: left as it is). */
export function withAgentResources<T extends { containers: { resources?: V1ResourceRequirements }[] }>(
  spec: T | undefined,
  resources: V1ResourceRequirements | undefined,
): void {
  if (!spec || !resources) return;
  for (const c of spec.containers) c.resources = structuredClone(resources);
}

/** Whether the API refused an object because a ResourceQuota of the namespace has no room left. */
export function exceedsQuota(err: unknown): boolean {
  return err instanceof TpError && err.code === "cluster-error" && /\bexceeded quota: /.test(err.message);
}
