import { hostname } from "node:os";
import { kubeCall, kubeGet } from "../kube/kube-call.js";
import type { Kube } from "../kube/kube.js";
import { Annotations, Labels, sessionSelector } from "../contract/cluster-labels.js";
import { readSessionInfo } from "../contract/session-info.js";
import { isLeaseLive, leaseName } from "./session-lease.js";
import { proxyFirstRecorded, restoreWorkload, waitForWorkloadReady } from "../kube/restore.js";
import { deploymentRef, type WorkloadRef } from "../contract/workload-ref.js";
import { hasOwnIdentity } from "./pod-identity.js";
import { waitForPodGone } from "../kube/pods.js";

/** What the cluster knows about one tp session. */
export interface ClusterSession {
  id: string;
  namespace: string;
  /** The swapped workload (`web`, `statefulset/db`) or created Deployment, if any. */
  deployment?: string;
  /** The swapped workload's API resource, as the session recorded it. */
  workload?: WorkloadRef;
  kind: string;
  /** When the session started (its lease's acquireTime, else its oldest object). */
  startedAt?: string;
  /** Its lease is being renewed. */
  live: boolean;
  /** Names of its objects: kind/name. */
  objects: string[];
}

/** The workload a session swapped, from the record on its lease or proxy pod. */
function recordedWorkload(annotations: Record<string, string> | undefined): WorkloadRef | undefined {
  return readSessionInfo(annotations?.[Annotations.sessionInfo]).workload;
}

/**
 * Whether a lease's holder ("host/pid", see SessionLease) is a tp process of this machine that is
 * gone: its session is left over at once, without waiting for the lease to run out.
 */
function heldByDeadProcess(holder: string | undefined): boolean {
  const m = /^(.*)\/(\d+)$/.exec(holder ?? "");
  if (!m || m[1] !== hostname()) return false;
  try {
    process.kill(Number(m[2]), 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/** Every tp session with objects in a namespace (all namespaces when namespace is undefined). */
export async function listClusterSessions(
  kube: Kube,
  namespace: string | undefined,
): Promise<ClusterSession[]> {
  const labelSelector = sessionSelector();
  const all = namespace === undefined;
  const [pods, deployments, services, leases] = await Promise.all([
    kubeCall("list pods", () =>
      all
        ? kube.core.listPodForAllNamespaces({ labelSelector })
        : kube.core.listNamespacedPod({ namespace, labelSelector }),
    ),
    kubeCall("list deployments", () =>
      all ? kube.apps.listDeploymentForAllNamespaces() : kube.apps.listNamespacedDeployment({ namespace }),
    ),
    kubeCall("list services", () =>
      all
        ? kube.core.listServiceForAllNamespaces({ labelSelector })
        : kube.core.listNamespacedService({ namespace, labelSelector }),
    ),
    kubeCall("list leases", () =>
      all
        ? kube.coordination.listLeaseForAllNamespaces({ labelSelector })
        : kube.coordination.listNamespacedLease({ namespace, labelSelector }),
    ),
  ]);
  const sessions = new Map<string, ClusterSession>();
  const get = (id: string, ns: string): ClusterSession => {
    const key = `${ns}/${id}`;
    let s = sessions.get(key);
    if (!s) sessions.set(key, (s = { id, namespace: ns, kind: "unknown", live: false, objects: [] }));
    return s;
  };
  type Meta = {
    metadata?: {
      name?: string;
      namespace?: string;
      labels?: Record<string, string>;
      annotations?: Record<string, string>;
      creationTimestamp?: Date;
      deletionTimestamp?: Date;
    };
  };
  const add = (kind: string, items: Meta[]) => {
    for (const o of items) {
      const id = o.metadata?.labels?.[Labels.session];
      // Objects being deleted are on their way out (a session that just ended).
      if (!id || o.metadata?.deletionTimestamp) continue;
      const s = get(id, o.metadata?.namespace ?? "default");
      s.objects.push(`${kind}/${o.metadata?.name}`);
      const info = readSessionInfo(o.metadata?.annotations?.[Annotations.sessionInfo]);
      if (info.kind) s.kind = info.kind;
      if (info.deployment) s.deployment = info.deployment;
      if (info.workload) s.workload = info.workload;
      const created = o.metadata?.creationTimestamp
        ? new Date(o.metadata.creationTimestamp).toISOString()
        : undefined;
      if (created && (!s.startedAt || created < s.startedAt)) s.startedAt = created;
    }
  };
  add("pod", pods.items);
  add("deployment", deployments.items);
  add("service", services.items);
  add("lease", leases.items);
  for (const lease of leases.items) {
    const id = lease.metadata?.labels?.[Labels.session];
    if (id)
      get(id, lease.metadata?.namespace ?? "default").live =
        isLeaseLive(lease) && !heldByDeadProcess(lease.spec?.holderIdentity);
  }
  for (const d of deployments.items) {
    const id = d.metadata?.annotations?.[Annotations.session];
    if (!id) continue;
    const s = get(id, d.metadata?.namespace ?? "default");
    s.kind = "swap";
    s.deployment = d.metadata?.name;
    s.workload ??= deploymentRef(d.metadata?.name ?? "");
  }
  for (const s of sessions.values()) {
    if (s.kind === "swap" && s.workload)
      s.objects.push(`${s.workload.kind.toLowerCase()}/${s.workload.name} (swapped)`);
  }
  return [...sessions.values()];
}

/** Undo everything a session changed in its namespace; returns what was done. */
export async function cleanupClusterSession(kube: Kube, namespace: string, id: string): Promise<string[]> {
  const done: string[] = [];
  const labelSelector = sessionSelector(id);
  const [deployments, pods, lease] = await Promise.all([
    kubeCall("list deployments", () => kube.apps.listNamespacedDeployment({ namespace })),
    kubeCall("list pods", () => kube.core.listNamespacedPod({ namespace, labelSelector })),
    kubeGet("read lease", () => kube.coordination.readNamespacedLease({ name: leaseName(id), namespace })),
  ]);
  const deletePods = async () => {
    for (const p of pods.items) {
      // A pod of a workload goes with it; the session's own pods (owned by its Lease) are deleted.
      if (p.metadata?.ownerReferences?.some((o) => o.kind !== "Lease")) continue;
      const name = p.metadata?.name as string;
      if (
        await kubeGet(`delete pod ${name}`, () =>
          kube.core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 2 }),
        )
      )
        done.push(`pod ${namespace}/${name} deleted`);
    }
  };
  // The swapped workload of any kind, as the session recorded it (a Deployment is also found by
  // its annotation below). A replica's identity goes back to it once the proxy is gone.
  const swapped = [lease, ...pods.items].map((o) => recordedWorkload(o?.metadata?.annotations)).find(Boolean);
  let podsDone = false;
  if (swapped) {
    if (hasOwnIdentity(swapped) || (await proxyFirstRecorded(kube, namespace, swapped, id))) {
      await deletePods();
      podsDone = true;
      for (const p of pods.items)
        await waitForPodGone(kube, namespace, p.metadata?.name as string, 60_000).catch(() => undefined);
    }
    const restored = await restoreWorkload(kube, namespace, swapped, id);
    if (restored) {
      done.push(restored.text);
      if (!podsDone && restored.scaled)
        await waitForWorkloadReady(kube, namespace, swapped, restored.replicas);
    }
  }
  for (const d of deployments.items) {
    const name = d.metadata?.name as string;
    if (d.metadata?.annotations?.[Annotations.session] === id) {
      const restored = await restoreWorkload(kube, namespace, deploymentRef(name), id);
      if (restored) {
        done.push(restored.text);
        if (restored.scaled)
          await waitForWorkloadReady(kube, namespace, deploymentRef(name), restored.replicas);
      }
    }
    if (d.metadata?.labels?.[Labels.session] === id) {
      await kubeGet(`delete deployment ${name}`, () =>
        kube.apps.deleteNamespacedDeployment({ name, namespace, propagationPolicy: "Background" }),
      );
      done.push(`deployment ${namespace}/${name} deleted`);
    }
  }
  const services = await kubeCall("list services", () =>
    kube.core.listNamespacedService({ namespace, labelSelector }),
  );
  for (const s of services.items) {
    const name = s.metadata?.name as string;
    await kubeGet(`delete service ${name}`, () => kube.core.deleteNamespacedService({ name, namespace }));
    done.push(`service ${namespace}/${name} deleted`);
  }
  if (!podsDone) await deletePods();
  if (
    await kubeGet("delete lease", () =>
      kube.coordination.deleteNamespacedLease({ name: leaseName(id), namespace }),
    )
  ) {
    done.push(`lease ${namespace}/${leaseName(id)} deleted`);
  }
  return done;
}
