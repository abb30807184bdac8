import type { V1Container, V1LabelSelector } from "@kubernetes/client-node";
import { TpError } from "../errors.js";
import { kubeGet } from "../kube/kube-call.js";
import type { Kube } from "../kube/kube.js";
import { Annotations, Labels } from "../contract/cluster-labels.js";
import { describeRef, type WorkloadRef } from "../contract/workload-ref.js";
import { restoreWorkload } from "../kube/restore.js";
import { deleteProxy, giveTrafficBack } from "./give-traffic-back.js";
import { patchWorkload, readReplicas, scaleWorkload } from "../kube/workload-api.js";
import { swapProxyPod } from "./proxy-pod.js";
import { reachStage, Stages } from "../stages.js";
import type { RemoteEnd, StartOptions } from "../kube/remote-end.js";
import { waitForNoPods, waitForPodGone } from "../kube/pods.js";
import { createOrRestore, createProxyPod } from "./create-proxy-pod.js";
import { watchScale } from "./watch-scale.js";
import { exceedsQuota } from "./agent-resources.js";
import { podIdentity, selectorText, type PodIdentity } from "./pod-identity.js";
import {
  checkNotOwned,
  chooseContainer,
  findWorkload,
  targetText,
  type FoundWorkload,
  type WorkloadTarget,
} from "./workloads.js";

export interface SwapTarget extends WorkloadTarget {
  /** The StatefulSet replica whose identity the proxy takes (default 0). */
  replica?: number;
}

export interface SwapOptions extends StartOptions {
  target: SwapTarget;
  /** Told what the user should know: an autoscaler owns the replicas, pods not Ready in time. */
  warn?: (text: string) => void;
}

/** How long a replica's pod may take to go before its identity is reused. */
const replicaGoneMs = 120_000;

/** The HorizontalPodAutoscaler that scales this workload, if any. */
async function autoscalerOf(kube: Kube, namespace: string, ref: WorkloadRef): Promise<string | undefined> {
  const list = await kubeGet(`list horizontalpodautoscalers in ${namespace}`, () =>
    kube.autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace }),
  ).catch(() => undefined);
  const hpa = list?.items.find((h) => {
    const t = h.spec?.scaleTargetRef;
    const group = t?.apiVersion?.includes("/") ? t.apiVersion.split("/")[0] : "";
    return t?.kind === ref.kind && t.name === ref.name && (t.apiVersion === undefined || group === ref.group);
  });
  return hpa?.metadata?.name;
}

export interface Swappable {
  found: FoundWorkload;
  container: V1Container;
  identity: PodIdentity | undefined;
}

/** Check that a workload can be swapped: it exists, scales, has the container, no session holds it. */
export async function checkSwappable(kube: Kube, namespace: string, target: SwapTarget): Promise<Swappable> {
  const found = await findWorkload(kube, namespace, target);
  checkNotOwned(found, namespace);
  const container = chooseContainer(found, target.container, namespace);
  const identity = podIdentity(found, target.replica);
  const holder = found.object.metadata?.annotations?.[Annotations.session];
  if (holder) {
    throw new TpError(
      "conflict",
      `${describeRef(found.ref, namespace)} is already swapped by tp session ${holder}`,
      {
        hint: "end that session first, or run `tp cleanup` if it is gone",
      },
    );
  }
  return { found, container, identity };
}

/**
 * --swap-deployment [KIND/]NAME: claim the workload (annotations that record the session, the
 * replica count and its API resource), start the proxy pod from its pod template, and scale it to
 * 0 through its scale subresource once the proxy is Ready. A replica with an identity of its own
 * (a StatefulSet's) is scaled away first: its name and volumes belong to one pod at a time.
 */
export async function swapWorkload(kube: Kube, options: SwapOptions): Promise<RemoteEnd> {
  const { namespace, sessionId } = options;
  let checked = await checkSwappable(kube, namespace, options.target);
  const ref = checked.found.ref;
  const id = describeRef(ref, namespace);
  // Looked up beside the claim: it only changes what happens once the proxy is Ready.
  const autoscaler = autoscalerOf(kube, namespace, ref);
  // Claim first: the resourceVersion makes the claim fail if the workload changed meanwhile.
  // A change of its status or scale is read again and the claim made again; a claim of another
  // session is an error (checkSwappable names it).
  let replicas = 0;
  for (let attempt = 0; ; attempt++) {
    replicas = await readReplicas(kube, namespace, ref);
    try {
      await patchWorkload(
        kube,
        namespace,
        ref,
        {
          metadata: {
            resourceVersion: checked.found.object.metadata?.resourceVersion,
            annotations: {
              [Annotations.session]: sessionId,
              [Annotations.originalReplicas]: String(replicas),
              [Annotations.swappedAt]: new Date().toISOString(),
              [Annotations.workload]: JSON.stringify(ref),
            },
          },
        },
        `annotate ${id}`,
      );
      break;
    } catch (err) {
      // A claim whose answer was lost may have been made: the caller's undo restores it by name.
      if (!(err instanceof TpError && err.code === "conflict") || attempt >= 4) throw err;
      checked = await checkSwappable(kube, namespace, options.target);
    }
  }
  const hpa = await autoscaler;
  if (hpa) {
    options.warn?.(
      `${id} is scaled by HorizontalPodAutoscaler ${hpa}: tp leaves its replicas alone, so its pods keep serving part of the traffic`,
    );
  }
  const { found, container, identity } = checked;
  const info = {
    kind: "swap",
    deployment: targetText(options.target),
    workload: ref,
    container: container.name,
    namespace,
  };
  const pod = swapProxyPod(found.object, container.name, { sessionId, agentImage: options.agentImage, info });
  identity?.apply(pod);
  // A controller that adopts the pods its selector matches (a ReplicaSet, a ReplicationController)
  // leaves alone a pod that has a controller: the session's Lease, whose deletion also takes it.
  if (options.lease)
    pod.metadata!.ownerReferences = [
      { apiVersion: "coordination.k8s.io/v1", kind: "Lease", ...options.lease, controller: true },
    ];
  const podName = pod.metadata?.name as string;
  // Pods that may not overlap go before the proxy starts; so do all where the quota has no room
  // for the proxy beside them (found when the proxy is refused).
  let exclusive = identity?.exclusive === true;
  // Set once the session is being undone: a late Ready must not scale the workload back to 0.
  let restoring = false;
  // Set once the proxy is Ready: from then on the Service sends it connections.
  let proxyWasReady = false;
  let scaling: Promise<unknown> | undefined;
  let watching: NodeJS.Timeout | undefined;
  /** Scale to 0, the count recorded first: a different count at the end is someone else's. */
  const scaleToZero = async () => {
    await patchWorkload(
      kube,
      namespace,
      ref,
      {
        metadata: {
          annotations: {
            [Annotations.scaledTo]: "0",
            ...(exclusive ? { [Annotations.proxyFirst]: "true" } : {}),
          },
        },
      },
      `record the scale of ${id}`,
    );
    await scaleWorkload(kube, namespace, ref, 0);
  };
  // Restore waits for the workload's pods to be Ready before the proxy goes (unless a replica's
  // identity must come back to it first): the Service never answers with errors in between.
  const restore = async (): Promise<string[]> => {
    restoring = true;
    clearInterval(watching);
    await scaling?.catch(() => undefined);
    const done: string[] = [];
    // A replica's identity and volumes go back to it only once the proxy has released them.
    if (exclusive) {
      done.push(...(await deleteProxy(kube, namespace, podName)));
      await waitForPodGone(kube, namespace, podName, replicaGoneMs).catch(() => undefined);
    }
    const restored = await restoreWorkload(kube, namespace, ref, sessionId);
    if (restored) {
      done.push(restored.text);
      await reachStage(Stages.restoring);
    }
    if (!exclusive) {
      const { step, warn } = options;
      const replicas = restored?.replicas;
      done.push(
        ...(await giveTrafficBack({
          kube,
          namespace,
          ref,
          proxy: podName,
          replicas,
          proxyWasReady,
          step,
          warn,
        })),
      );
    }
    return done;
  };
  /** The workload's own pods: its selector, but not a session's proxy, which has their labels. */
  const workloadSelector = () => {
    const own = selectorText((found.object.spec as { selector?: V1LabelSelector } | undefined)?.selector);
    return own && `${own},!${Labels.session}`;
  };
  /** Scale the workload to 0 and wait until its pods (or the one replica) are gone. */
  const stopPods = async (why: string, replicaPod: string | undefined, selector: string) => {
    const ended = options.step?.(
      replicaPod
        ? `stopping ${id}: its pod ${replicaPod} hands its identity and volumes to the proxy`
        : `stopping ${id}: its pods go before the proxy starts (${why})`,
    );
    scaling = scaleToZero();
    await scaling;
    if (replicaPod) await waitForPodGone(kube, namespace, replicaPod, replicaGoneMs);
    // (A workload without a selector: none to wait for; the scheduler places the proxy later.)
    else if (selector) await waitForNoPods(kube, namespace, selector, replicaGoneMs);
    ended?.(replicaPod ? `${replicaPod} stopped` : `${id} stopped`);
  };
  if (exclusive && identity) {
    const { replicaPod, selector } = identity;
    await createOrRestore(restore, () => stopPods("strategy Recreate", replicaPod, selector ?? ""));
  }
  // A quota without room for one more pod: the workload's pods go first, as for Recreate.
  const makeRoom = async (refusal: unknown): Promise<boolean> => {
    if (exclusive || hpa || !exceedsQuota(refusal)) return false;
    options.warn?.(
      `the namespace's quota has no room for the proxy beside ${id}'s pods (${(refusal as Error).message}): ` +
        `they stop first, and its Service has no ready endpoint until the proxy is Ready`,
    );
    exclusive = true;
    await stopPods("the quota has no room for both", undefined, workloadSelector());
    return true;
  };
  const started = await createProxyPod(
    kube,
    options,
    pod,
    container.name,
    restore,
    () => reachStage(Stages.annotated, options.signal),
    makeRoom,
  );
  const { ready } = started;
  ready.then(
    () => (proxyWasReady = true),
    () => undefined,
  );
  // Pods that cannot overlap in ways no spec says (a host port on a node, a node full): the
  // scheduler finds no room for the proxy beside them, so they go first.
  if (!exclusive && !hpa)
    void started.unschedulable
      .then(async (message) => {
        if (!message || exclusive || restoring || options.signal?.aborted) return;
        options.warn?.(
          `the proxy cannot be scheduled beside ${id}'s pods (${message}): they stop first, and its ` +
            `Service has no ready endpoint until the proxy is Ready`,
        );
        exclusive = true;
        await stopPods("no node has room for both", undefined, workloadSelector());
      })
      .catch(() => undefined);
  // The tunnel starts meanwhile; the workload goes to 0 once the proxy is Ready and the session
  // takes over (takeOver): until then its own pods keep serving.
  let takingOver: Promise<void> | undefined;
  const takeOver = (): Promise<void> =>
    (takingOver ??= (async () => {
      await ready;
      // A signal may come while the proxy gets Ready (its wait ends then): the undo that follows
      // must not find the workload going to 0 after it started.
      if (hpa || restoring || exclusive || options.signal?.aborted) return;
      scaling = scaleToZero();
      await scaling;
      if (restoring) return;
      watching = watchScale(kube, namespace, ref, options.warn);
      await reachStage(Stages.swapDone);
    })());
  const { unschedulable: _unschedulable, ...stages } = started;
  return {
    namespace,
    ...stages,
    original: container,
    description: `${id} (swapped, ${replicas} replica${replicas === 1 ? "" : "s"} before)`,
    takeOver,
    restore,
  };
}
