import type { V1LabelSelector, V1Pod } from "@kubernetes/client-node";
import type { WorkloadRef } from "../contract/workload-ref.js";
import { UsageError } from "../errors.js";
import type { FoundWorkload } from "./workloads.js";

/**
 * What the proxy pod takes over from the replica it replaces, beyond the pod template: for a
 * StatefulSet, the replica's identity (hostname and subdomain, so `db-0.db.ns.svc` names the proxy
 * through the headless Service) and its PersistentVolumeClaims. Those belong to one pod at a time,
 * so the proxy starts once the replica's pod is gone (`exclusive`).
 */
export interface PodIdentity {
  /** The pod whose place the proxy takes. */
  replicaPod?: string;
  /** Else: the label selector of all the pods that go before the proxy starts. */
  selector?: string;
  exclusive: boolean;
  apply(pod: V1Pod): void;
}

/** A label selector as the API's labelSelector parameter takes it. */
export function selectorText(selector: V1LabelSelector | undefined): string {
  const terms = Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector?.matchExpressions ?? []) {
    const values = `(${(e.values ?? []).join(",")})`;
    if (e.operator === "In") terms.push(`${e.key} in ${values}`);
    else if (e.operator === "NotIn") terms.push(`${e.key} notin ${values}`);
    else if (e.operator === "Exists") terms.push(e.key);
    else if (e.operator === "DoesNotExist") terms.push(`!${e.key}`);
  }
  return terms.join(",");
}

/**
 * A Deployment whose pods may not overlap (strategy Recreate: a volume one pod at a time, a host
 * port): its pods go before the proxy starts, as they would for a rollout.
 */
function recreated(found: FoundWorkload): PodIdentity | undefined {
  const isDeployment = found.ref.group === "apps" && found.ref.resource === "deployments";
  const spec = found.object.spec as { strategy?: { type?: string }; selector?: V1LabelSelector } | undefined;
  if (!isDeployment || spec?.strategy?.type !== "Recreate") return undefined;
  const selector = selectorText(spec.selector);
  return selector ? { selector, exclusive: true, apply: () => undefined } : undefined;
}

/** Whether the pods of a workload have identities of their own (a StatefulSet's). */
export function hasOwnIdentity(ref: WorkloadRef): boolean {
  return ref.group === "apps" && ref.resource === "statefulsets";
}

/** The identity the proxy takes, or undefined where a pod has none of its own (Deployments…). */
export function podIdentity(found: FoundWorkload, replica: number | undefined): PodIdentity | undefined {
  if (!hasOwnIdentity(found.ref)) {
    if (replica !== undefined)
      throw new UsageError(
        `--replica is for StatefulSets; ${found.ref.kind.toLowerCase()} ${found.ref.name} has no ordered replicas`,
      );
    return recreated(found);
  }
  const spec = found.object.spec ?? {};
  const name = found.ref.name;
  const index = replica ?? 0;
  const replicas = typeof spec.replicas === "number" ? spec.replicas : 1;
  if (index >= Math.max(replicas, 1))
    throw new UsageError(
      `statefulset ${name} has ${replicas} replica${replicas === 1 ? "" : "s"}: --replica takes 0 to ${Math.max(replicas, 1) - 1}`,
    );
  const podName = `${name}-${index}`;
  const claims = spec.volumeClaimTemplates ?? [];
  const serviceName = spec.serviceName;
  return {
    replicaPod: podName,
    exclusive: true,
    apply(pod) {
      const podSpec = pod.spec!;
      podSpec.hostname = podName;
      if (serviceName) podSpec.subdomain = serviceName;
      pod.metadata!.labels = {
        ...pod.metadata!.labels,
        "statefulset.kubernetes.io/pod-name": podName,
        "apps.kubernetes.io/pod-index": String(index),
      };
      const claimed = new Set(claims.map((c) => c.metadata?.name));
      podSpec.volumes = [
        ...(podSpec.volumes ?? []).filter((v) => !claimed.has(v.name)),
        ...claims.map((c) => ({
          name: c.metadata?.name as string,
          persistentVolumeClaim: { claimName: `${c.metadata?.name}-${podName}` },
        })),
      ];
    },
  };
}
