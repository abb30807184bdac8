import { isJsonObject, type JsonObject, type KubeObject } from "../../shared/kube-object.js";
import { qosClass } from "../registry/pod-spec-defaults.js";
import { matchesSelector } from "../selectors/label-selector.js";
import { parseQuantity } from "./quantity.js";
import { addLists, containerList, containersOf, podAggregate, type ResourceList } from "./resource-list.js";

/** What quota tracks of pods (k8s.io/kubernetes/pkg/quota/v1/evaluator/core/pods.go). */
export const podResources = [
  "count/pods",
  "cpu",
  "memory",
  "ephemeral-storage",
  "requests.cpu",
  "requests.memory",
  "requests.ephemeral-storage",
  "limits.cpu",
  "limits.memory",
  "limits.ephemeral-storage",
  "pods",
];

/** Quota on these makes every container state them (the backward compatible rule of Constraints). */
const validationSet = new Set([
  "cpu",
  "memory",
  "requests.cpu",
  "requests.memory",
  "limits.cpu",
  "limits.memory",
]);

const one = () => parseQuantity("1")!;

/** An extended resource (`example.com/gpu`): only quota as `requests.example.com/gpu` tracks it. */
function isExtended(name: string): boolean {
  return name.includes("/") && !name.startsWith("requests.") && !name.includes("kubernetes.io/");
}

export function podMatchingResources(names: string[]): string[] {
  return names.filter(
    (n) =>
      podResources.includes(n) ||
      n.startsWith("hugepages-") ||
      n.startsWith("requests.hugepages-") ||
      (n.startsWith("requests.") && isExtended(n.slice("requests.".length))),
  );
}

/** podComputeUsageHelper: what one container or one pod's requests and limits count for. */
export function podComputeUsage(requests: ResourceList, limits: ResourceList): ResourceList {
  const out: ResourceList = { pods: one() };
  for (const r of ["cpu", "memory", "ephemeral-storage"]) {
    if (requests[r]) out[r] = out[`requests.${r}`] = requests[r];
    if (limits[r]) out[`limits.${r}`] = limits[r];
  }
  for (const [k, v] of Object.entries(requests)) {
    if (k.startsWith("hugepages-")) out[k] = out[`requests.${k}`] = v;
    if (isExtended(k)) out[`requests.${k}`] = v;
  }
  return out;
}

/**
 * QuotaV1Pod: a pod counts unless it is Succeeded or Failed, or its deletion has waited past
 * deletionTimestamp + grace (a pod stuck terminating on a lost node).
 */
export function podCountsForQuota(pod: KubeObject, now: number): boolean {
  const phase = isJsonObject(pod.status) ? pod.status.phase : undefined;
  if (phase === "Succeeded" || phase === "Failed") return false;
  const { deletionTimestamp, deletionGracePeriodSeconds } = pod.metadata;
  if (deletionTimestamp && deletionGracePeriodSeconds !== undefined)
    return now <= Date.parse(deletionTimestamp) + deletionGracePeriodSeconds * 1000;
  return true;
}

/** PodUsageFunc: count/pods always; compute resources and `pods` while the pod counts. */
export function podUsage(pod: KubeObject, now: number): ResourceList {
  const counted: ResourceList = { "count/pods": one() };
  if (!podCountsForQuota(pod, now)) return counted;
  const spec = isJsonObject(pod.spec) ? pod.spec : {};
  return addLists(counted, podComputeUsage(podAggregate(spec, "requests"), podAggregate(spec, "limits")));
}

/** ScopedResourceSelectorRequirement. */
export interface ScopeRequirement {
  scopeName: string;
  operator: string;
  values?: string[];
}

/** The scopes of a quota: spec.scopes (as Exists) and spec.scopeSelector's expressions. */
export function quotaScopes(quota: KubeObject): ScopeRequirement[] {
  const spec = isJsonObject(quota.spec) ? quota.spec : {};
  const scopes = Array.isArray(spec.scopes) ? spec.scopes.map(String) : [];
  const selector = isJsonObject(spec.scopeSelector) ? spec.scopeSelector : {};
  const exprs = Array.isArray(selector.matchExpressions)
    ? selector.matchExpressions.filter(isJsonObject)
    : [];
  return [
    ...scopes.map((scopeName) => ({ scopeName, operator: "Exists" })),
    ...exprs.map((e) => ({
      scopeName: String(e.scopeName ?? ""),
      operator: String(e.operator ?? ""),
      values: Array.isArray(e.values) ? e.values.map(String) : undefined,
    })),
  ];
}

function isTerminating(spec: JsonObject): boolean {
  return typeof spec.activeDeadlineSeconds === "number" && spec.activeDeadlineSeconds >= 0;
}

/** podMatchesScopeFunc. */
export function podMatchesScope(scope: ScopeRequirement, pod: KubeObject): boolean {
  const spec = isJsonObject(pod.spec) ? pod.spec : {};
  switch (scope.scopeName) {
    case "Terminating":
      return isTerminating(spec);
    case "NotTerminating":
      return !isTerminating(spec);
    case "BestEffort":
      return qosClass(spec) === "BestEffort";
    case "NotBestEffort":
      return qosClass(spec) !== "BestEffort";
    case "PriorityClass": {
      const pc = typeof spec.priorityClassName === "string" ? spec.priorityClassName : "";
      if (scope.operator === "Exists") return pc !== "";
      const labels: Record<string, string> = pc ? { PriorityClass: pc } : {};
      const expr = { key: "PriorityClass", operator: scope.operator, values: scope.values };
      return matchesSelector({ matchExpressions: [expr] }, labels);
    }
    case "CrossNamespacePodAffinity": {
      const affinity = isJsonObject(spec.affinity) ? spec.affinity : {};
      const terms = ["podAffinity", "podAntiAffinity"].flatMap((k) => {
        const a = isJsonObject(affinity[k]) ? affinity[k] : {};
        const hard = Array.isArray(a.requiredDuringSchedulingIgnoredDuringExecution)
          ? a.requiredDuringSchedulingIgnoredDuringExecution
          : [];
        const soft = Array.isArray(a.preferredDuringSchedulingIgnoredDuringExecution)
          ? a.preferredDuringSchedulingIgnoredDuringExecution.map((w) =>
              isJsonObject(w) ? w.podAffinityTerm : {},
            )
          : [];
        return [...hard, ...soft].filter(isJsonObject);
      });
      return terms.some((t) => (Array.isArray(t.namespaces) && t.namespaces.length) || t.namespaceSelector);
    }
  }
  return false;
}

/**
 * Constraints: a quota on cpu or memory (requests or limits) needs every container and init
 * container to state it: "must specify limits.cpu for: a,b; requests.memory for: a".
 */
export function podConstraints(required: string[], pod: KubeObject): string | undefined {
  const spec = isJsonObject(pod.spec) ? pod.spec : {};
  const wanted = required.filter((r) => validationSet.has(r));
  const missing = new Map<string, Set<string>>();
  for (const c of [...containersOf(spec, "containers"), ...containersOf(spec, "initContainers")]) {
    const has = podComputeUsage(containerList(c, "requests"), containerList(c, "limits"));
    for (const r of wanted) {
      if (has[r]) continue;
      if (!missing.has(r)) missing.set(r, new Set());
      missing.get(r)!.add(String(c.name ?? ""));
    }
  }
  if (!missing.size) return undefined;
  const parts = [...missing.keys()].sort().map((r) => `${r} for: ${[...missing.get(r)!].sort().join(",")}`);
  return `must specify ${parts.join("; ")}`;
}
