import type { SidecarConfig } from "../contract/sidecar-config.js";
import { useExistingDeployment } from "../cluster/existing-deployment.js";
import type { Kube } from "../kube/kube.js";
import { checkNameFree, startNewDeployment } from "../cluster/new-deployment.js";
import { swapProxyPodName, temporaryProxyPodName, type ExposedPort } from "../cluster/proxy-pod.js";
import type { RemoteEnd, StartOptions } from "../kube/remote-end.js";
import { checkSwappable, swapWorkload } from "../cluster/swap.js";
import { findWorkload } from "../cluster/workloads.js";
import { hasOwnIdentity } from "../cluster/pod-identity.js";
import { deploymentRef, type WorkloadRef } from "../contract/workload-ref.js";
import { checkInterceptable, interceptWorkload } from "../cluster/intercept.js";
import { findInterceptedService } from "../cluster/intercept-services.js";
import type { InterceptFilter } from "../contract/router-control.js";
import { startTemporaryProxy } from "../cluster/temporary-proxy.js";
import { watchProxy } from "../cluster/proxy-gone.js";
import type { WardenPlan } from "../contract/warden-plan.js";

/** What a session does in the cluster. */
export type Workload =
  | {
      kind: "swap";
      name: string;
      /** KIND of KIND/NAME (absent: a Deployment). */
      type?: string;
      container?: string;
      /** The StatefulSet replica whose identity the proxy takes. */
      replica?: number;
      /** The API resource, once found through discovery (resolveWorkload). */
      ref?: WorkloadRef;
    }
  | {
      kind: "intercept";
      name: string;
      /** KIND of KIND/NAME (absent: a Deployment). */
      type?: string;
      container?: string;
      /** The intercepted Service: --service, or the one found (resolveWorkload). */
      service?: string;
      filter: InterceptFilter;
      mirror: boolean;
      /** The API resource, once found through discovery (resolveWorkload). */
      ref?: WorkloadRef;
    }
  | { kind: "new"; name: string }
  | { kind: "existing"; name: string; type?: string }
  | { kind: "temporary" };

/**
 * Check, before anything is created, that the workload can be used: a clear error for a missing
 * Deployment or container, a Deployment already swapped, a name already taken.
 */
export async function preflightWorkload(
  kube: Kube,
  w: Workload,
  expose: { remotePort: number; protocol?: string }[] = [],
): Promise<void> {
  const namespace = kube.namespace;
  switch (w.kind) {
    case "swap":
      await checkSwappable(kube, namespace, w);
      return;
    case "intercept":
      await checkInterceptable(kube, namespace, w, expose);
      return;
    case "new":
      await checkNameFree(kube, namespace, w.name);
      return;
    case "existing":
      // Only reads: it fails the same way it would later.
      await useExistingDeployment(kube, { ...w, namespace, sessionId: "", agentImage: "" });
      return;
    case "temporary":
      return;
  }
}

export async function startRemote(
  kube: Kube,
  w: Workload,
  exposePorts: ExposedPort[],
  options: StartOptions,
  warn: (t: string) => void,
): Promise<RemoteEnd> {
  return watchedProxy(
    kube,
    await startEnd(kube, w, { ...options, exposePorts: exposePorts.map((p) => p.port), warn }, exposePorts),
  );
}

/**
 * The session ends once its proxy pod is gone for good (see watchProxy), and a swapped workload
 * does not go to 0 for a proxy pod that is going: it is looked at once more when it is Ready,
 * just before. `everyMs`: how often it is looked at (tests).
 */
export function watchedProxy(kube: Kube, remote: RemoteEnd, everyMs?: number): RemoteEnd {
  const watch = watchProxy(kube, remote, everyMs);
  const { takeOver, restore } = remote;
  const lost = remote.lost ? Promise.race([remote.lost, watch.lost]) : watch.lost;
  // Raced by the session only once its start has come that far.
  lost.catch(() => undefined);
  let undone = false;
  return {
    ...remote,
    lost,
    ...(takeOver && {
      takeOver: async () => {
        // A proxy that never got Ready because it is going: that, not the wait, is the news.
        await remote.ready.catch(() => undefined);
        // A stopped watch (the undo began) answers at once.
        if ((await watch.checkNow()) || undone) return;
        await takeOver();
      },
    }),
    // The session's own undo deletes the proxy pod: that is no loss to report, and nothing is
    // taken over any more.
    restore: () => {
      undone = true;
      watch.stop();
      return restore();
    },
  };
}

function startEnd(
  kube: Kube,
  w: Workload,
  options: StartOptions & { warn: (t: string) => void },
  exposePorts: ExposedPort[],
): Promise<RemoteEnd> {
  switch (w.kind) {
    case "swap":
      return swapWorkload(kube, { ...options, target: w });
    case "intercept":
      return interceptWorkload(kube, { ...options, target: w });
    case "new":
      return startNewDeployment(kube, { ...options, name: w.name, ports: exposePorts });
    case "existing":
      return useExistingDeployment(kube, { ...options, name: w.name, ...(w.type ? { type: w.type } : {}) });
    case "temporary":
      return startTemporaryProxy(kube, options);
  }
}

type UndoPlan = Pick<
  WardenPlan,
  "restore" | "deleteDeployments" | "deleteServices" | "deletePods" | "intercept"
>;

/** The API resource of a swapped workload, found before anything changes (KIND/NAME needs discovery). */
export async function resolveWorkload(kube: Kube, w: Workload): Promise<Workload> {
  if (w.kind === "intercept") {
    if (w.ref && w.service) return w;
    const found = await findWorkload(kube, kube.namespace, w);
    const target = await findInterceptedService(kube, kube.namespace, found, w.service);
    return { ...w, ref: found.ref, service: target.name };
  }
  if (w.kind !== "swap" || w.ref) return w;
  if (w.type === undefined) return { ...w, ref: deploymentRef(w.name) };
  return { ...w, ref: (await findWorkload(kube, kube.namespace, w)).ref };
}

function swappedRef(w: Extract<Workload, { kind: "swap" }>): WorkloadRef {
  if (w.ref) return w.ref;
  if (w.type === undefined) return deploymentRef(w.name);
  throw new Error(`workload ${w.type}/${w.name} was not resolved`);
}

/** What the warden undoes if the CLI dies: the names are known before anything starts. */
export function undoPlanOf(w: Workload, sessionId: string): UndoPlan {
  const none = { deleteDeployments: [], deleteServices: [], deletePods: [] };
  switch (w.kind) {
    case "swap": {
      const workload = swappedRef(w);
      return {
        ...none,
        restore: { workload, proxyFirst: hasOwnIdentity(workload) },
        deletePods: [swapProxyPodName(w.name, sessionId)],
      };
    }
    case "intercept":
      if (!w.service) throw new Error(`the service of ${w.name} was not resolved`);
      return {
        ...none,
        deletePods: [swapProxyPodName(w.name, sessionId)],
        intercept: { service: w.service },
      };
    case "new":
      return { ...none, deleteDeployments: [w.name], deleteServices: [w.name] };
    case "temporary":
      return { ...none, deletePods: [temporaryProxyPodName(sessionId)] };
    case "existing":
      return none;
  }
}

/**
 * The local hostname: the proxy pod's, known in advance: a StatefulSet replica's own name, else the
 * proxy pod's name.
 */
export function localHostname(w: Workload, sessionId: string): string {
  if (w.kind === "swap" && w.ref && hasOwnIdentity(w.ref)) return `${w.name}-${w.replica ?? 0}`;
  if (w.kind === "swap" || w.kind === "intercept") return swapProxyPodName(w.name, sessionId);
  if (w.kind === "temporary") return temporaryProxyPodName(sessionId);
  return w.name;
}

/** Ports of the swapped container exposed without being asked (--no-auto-expose turns it off). */
export function autoExposed(
  remote: RemoteEnd,
  asked: SidecarConfig["expose"],
  enabled: boolean,
): SidecarConfig["expose"] {
  if (!enabled || !remote.original) return [];
  const key = (port: number, protocol: string | undefined) => `${port}/${(protocol ?? "tcp").toLowerCase()}`;
  const taken = new Set(asked.map((e) => key(e.remotePort, e.protocol)));
  return (remote.original.ports ?? [])
    .filter(
      (p) => ["TCP", "UDP"].includes(p.protocol ?? "TCP") && !taken.has(key(p.containerPort, p.protocol)),
    )
    .map((p) => ({
      localPort: p.containerPort,
      remotePort: p.containerPort,
      ...(p.protocol === "UDP" ? { protocol: "udp" as const } : {}),
    }));
}
