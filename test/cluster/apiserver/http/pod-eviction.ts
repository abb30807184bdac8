// The eviction subresource, as the real one (pkg/registry/core/pod/storage/eviction.go): a pod a
// PodDisruptionBudget covers is deleted only while the budget allows a disruption, which the
// eviction uses up; otherwise 429, as `kubectl drain` expects. Dry runs change nothing.
import { isJsonObject, kubeNow, type KubeObject, asObject as obj } from "../../shared/kube-object.js";
import { isPodReady } from "../controllers/pod-conditions.js";
import { findResource, type ResourceDef } from "../resource-table.js";
import type { Registry } from "../registry/registry.js";
import type { DeleteOptions } from "../registry/strategy.js";
import {
  matchesSelector,
  selectorRequirements,
  type LabelSelectorObject,
} from "../selectors/label-selector.js";
import { ApiError } from "./api-error.js";

/** Evict (delete) a pod if its disruption budget allows; throws the API's refusal otherwise. */
export function evictPod(
  registry: Registry,
  podDef: ResourceDef,
  ns: string | undefined,
  name: string,
  options: DeleteOptions = {},
): void {
  const pod = registry.get(podDef, ns, name);
  const phase = obj(pod.status).phase;
  // Pods that count for no budget go at once: finished, not started, or going already.
  const ignoresBudgets =
    phase === "Succeeded" || phase === "Failed" || phase === "Pending" || !!pod.metadata.deletionTimestamp;
  const pdbDef = findResource("policy", "v1", "poddisruptionbudgets")!;
  const budgets = ignoresBudgets
    ? []
    : registry.list(pdbDef, ns).filter((b) => {
        // An empty selector covers no pod here (getPodDisruptionBudgets), though the budget's
        // status counts every pod of the namespace.
        const sel = obj(b.spec).selector;
        return (
          isJsonObject(sel) &&
          selectorRequirements(sel as LabelSelectorObject).length > 0 &&
          matchesSelector(sel as LabelSelectorObject, pod.metadata.labels)
        );
      });
  if (budgets.length > 1)
    throw new ApiError(
      500,
      "",
      "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
    );
  const budget = budgets[0];
  if (budget) checkAndDecrement(registry, pdbDef, budget, pod, options.dryRun === true);
  registry.delete(podDef, ns, name, options);
}

function checkAndDecrement(
  registry: Registry,
  pdbDef: ResourceDef,
  budget: KubeObject,
  pod: KubeObject,
  dryRun: boolean,
): void {
  const status = obj(budget.status);
  const healthy = Number(status.currentHealthy ?? 0);
  const desired = Number(status.desiredHealthy ?? 0);
  // unhealthyPodEvictionPolicy IfHealthyBudget (the default): a pod that is not Ready may go while
  // the budget's healthy pods are enough; AlwaysAllow: always.
  if (!isPodReady(pod)) {
    const policy = obj(budget.spec).unhealthyPodEvictionPolicy;
    if (policy === "AlwaysAllow" || (desired > 0 && healthy >= desired)) return;
  }
  const refuse = (message: string, retryAfterSeconds = 0): never => {
    throw new ApiError(
      429,
      "TooManyRequests",
      "Cannot evict pod as it would violate the pod's disruption budget.",
      {
        causes: [{ reason: "DisruptionBudget", message }],
        ...(retryAfterSeconds ? { retryAfterSeconds } : {}),
      },
    );
  };
  const name = budget.metadata.name ?? "";
  if (Number(status.observedGeneration ?? 0) < Number(budget.metadata.generation ?? 1))
    refuse(`The disruption budget ${name} is still being processed by the server.`, 10);
  const allowed = Number(status.disruptionsAllowed ?? 0);
  if (allowed <= 0)
    refuse(`The disruption budget ${name} needs ${desired} healthy pods and has ${healthy} currently`);
  if (dryRun) return;
  registry.mutate(
    pdbDef,
    budget.metadata.namespace,
    name,
    (b) => {
      const s = obj(b.status);
      s.disruptionsAllowed = allowed - 1;
      s.disruptedPods = { ...obj(s.disruptedPods), [pod.metadata.name ?? ""]: kubeNow() };
      if (allowed - 1 === 0 && Array.isArray(s.conditions))
        s.conditions = s.conditions
          .filter(isJsonObject)
          .map((c) =>
            c.type === "DisruptionAllowed"
              ? { ...c, status: "False", reason: "InsufficientPods", lastTransitionTime: kubeNow() }
              : c,
          );
      b.status = s;
    },
    "status",
  );
}
