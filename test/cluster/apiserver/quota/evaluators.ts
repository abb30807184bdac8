import { isJsonObject, type KubeObject } from "../../shared/kube-object.js";
import type { ObjectStore } from "../store/object-store.js";
import {
  podConstraints,
  podMatchesScope,
  podMatchingResources,
  podUsage,
  quotaScopes,
  type ScopeRequirement,
} from "./pod-evaluator.js";
import { parseQuantity, zeroQuantity } from "./quantity.js";
import { addLists, maskList, toResourceList, type ResourceList } from "./resource-list.js";

/** quota.Evaluator: what quota tracks of one resource (k8s.io/kubernetes/pkg/quota/v1/evaluator/core). */
export interface Evaluator {
  /** The store key of the objects it counts: "/pods", "apps/deployments". */
  key: string;
  /** MatchingResources: the names among these it tracks. */
  matching(names: string[]): string[];
  usage(obj: KubeObject, now: number): ResourceList;
  /** Whether the object is in the scope; objects other than pods are in none (MatchesNoScopeFunc). */
  matchesScope(scope: ScopeRequirement, obj: KubeObject): boolean;
  /** Constraints: a refusal text when the object lacks what the quota requires of it. */
  constraints?(required: string[], obj: KubeObject): string | undefined;
}

const count = (n: number) => parseQuantity(String(n))!;
const noScope = () => false;
const only = (tracked: string[]) => (names: string[]) => names.filter((n) => tracked.includes(n));

const podEvaluator: Evaluator = {
  key: "/pods",
  matching: podMatchingResources,
  usage: podUsage,
  matchesScope: podMatchesScope,
  constraints: podConstraints,
};

const serviceEvaluator: Evaluator = {
  key: "/services",
  matching: only(["services", "count/services", "services.loadbalancers", "services.nodeports"]),
  usage(svc) {
    const spec = isJsonObject(svc.spec) ? svc.spec : {};
    const ports = Array.isArray(spec.ports) ? spec.ports.length : 0;
    const lb = spec.type === "LoadBalancer";
    const nodePorts = spec.type === "NodePort" || (lb && spec.allocateLoadBalancerNodePorts !== false);
    return {
      "count/services": count(1),
      services: count(1),
      "services.loadbalancers": count(lb ? 1 : 0),
      "services.nodeports": count(nodePorts ? ports : 0),
    };
  },
  matchesScope: noScope,
};

const claimEvaluator: Evaluator = {
  key: "/persistentvolumeclaims",
  matching: only(["persistentvolumeclaims", "count/persistentvolumeclaims", "requests.storage"]),
  usage(pvc) {
    const spec = isJsonObject(pvc.spec) ? pvc.spec : {};
    const requests = toResourceList(isJsonObject(spec.resources) ? spec.resources.requests : undefined);
    const out: ResourceList = { "count/persistentvolumeclaims": count(1), persistentvolumeclaims: count(1) };
    if (requests.storage) out["requests.storage"] = requests.storage;
    return out;
  },
  matchesScope: noScope,
};

const special = [podEvaluator, serviceEvaluator, claimEvaluator];

/** Object counts that also have a name of their own from before `count/`. */
const legacyCounts: Record<string, string> = {
  configmaps: "/configmaps",
  secrets: "/secrets",
  resourcequotas: "/resourcequotas",
  replicationcontrollers: "/replicationcontrollers",
};

/** ObjectCountQuotaResourceNameFor: "count/configmaps", "count/deployments.apps". */
export function countName(key: string): string {
  const [group, plural] = key.split("/");
  return `count/${plural}${group ? `.${group}` : ""}`;
}

function countEvaluator(key: string): Evaluator {
  const names = [countName(key), ...Object.keys(legacyCounts).filter((n) => legacyCounts[n] === key)];
  return {
    key,
    matching: only(names),
    usage: () => Object.fromEntries(names.map((n) => [n, count(1)])),
    matchesScope: noScope,
  };
}

export function evaluatorFor(key: string): Evaluator {
  return special.find((e) => e.key === key) ?? countEvaluator(key);
}

/** The evaluators that track some of these names. */
function evaluatorsFor(names: string[]): Evaluator[] {
  const keys = new Set(special.map((e) => e.key));
  for (const n of names) {
    if (legacyCounts[n]) keys.add(legacyCounts[n]);
    if (!n.startsWith("count/")) continue;
    const [plural, ...group] = n.slice("count/".length).split(".");
    keys.add(`${group.join(".")}/${plural}`);
  }
  return [...keys].map(evaluatorFor).filter((e) => e.matching(names).length);
}

export function hardOf(quota: KubeObject): ResourceList {
  return toResourceList(isJsonObject(quota.spec) ? quota.spec.hard : undefined);
}

/** Matches: the quota tracks something of the evaluator's and the object is in all its scopes. */
export function quotaMatches(e: Evaluator, quota: KubeObject, obj: KubeObject): boolean {
  if (!e.matching(Object.keys(hardOf(quota))).length) return false;
  return quotaScopes(quota).every((s) => e.matchesScope(s, obj));
}

/** CalculateUsage: what the namespace's objects in the quota's scopes use of its hard resources. */
export function calculateUsage(store: ObjectStore, ns: string, quota: KubeObject, now: number): ResourceList {
  const hard = Object.keys(hardOf(quota));
  const scopes = quotaScopes(quota);
  let used: ResourceList = {};
  for (const e of evaluatorsFor(hard)) {
    let stats: ResourceList = Object.fromEntries(e.matching(hard).map((n) => [n, zeroQuantity()]));
    for (const o of store.list(e.key, ns))
      if (scopes.every((s) => e.matchesScope(s, o))) stats = addLists(stats, e.usage(o, now));
    used = addLists(used, stats);
  }
  return maskList(used, hard);
}
