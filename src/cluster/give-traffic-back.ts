import { describeRef, type WorkloadRef } from "../contract/workload-ref.js";
import type { Kube } from "../kube/kube.js";
import { deletePod, waitForPodGone } from "../kube/pods.js";
import { restoreReadyMs, waitForWorkloadReady } from "../kube/restore.js";

/**
 * The proxy pod's grace period when the workload's pods have taken the traffic back: room for its
 * agent's drain (at most 8 s, src/agent/proxy/drain.ts) before the kubelet kills it.
 */
export const proxyDrainGraceSeconds = 10;

export interface GiveTrafficBackOptions {
  kube: Kube;
  namespace: string;
  ref: WorkloadRef;
  /** The proxy pod's name. */
  proxy: string;
  /** The workload's replicas once scaled back (undefined or 0: no pod to wait for). */
  replicas?: number;
  /** Whether the proxy was ever Ready, that is whether its Service sent it connections. */
  proxyWasReady: boolean;
  step?: (text: string) => (done?: string) => void;
  warn?: (text: string) => void;
}

/** Delete the proxy pod; the summary's line where it was there to delete. */
export async function deleteProxy(kube: Kube, namespace: string, proxy: string, graceSeconds?: number) {
  return (await deletePod(kube, namespace, proxy, graceSeconds))
    ? [`proxy pod ${namespace}/${proxy} deleted`]
    : [];
}

/**
 * Give a scaled-back workload its Service's traffic back from the proxy beside it (the cluster half
 * of StartedSession.handBack): where the proxy was Ready, wait until the workload's pods are, then
 * delete the proxy and wait until it is gone (its agent serves on while connections still come, so
 * none is lost). Both waits are shown as steps: pods can take long to be Ready. Returns what was
 * done, for the session's summary.
 */
export async function giveTrafficBack(o: GiveTrafficBackOptions): Promise<string[]> {
  const { kube, namespace, proxy } = o;
  // A proxy never Ready took no traffic to give back: whatever the workload's pods are, waiting
  // for them changes nothing (a session that failed early would wait for pods that may never be).
  if (o.replicas && o.proxyWasReady) {
    const what = describeRef(o.ref, namespace);
    const readyMs = restoreReadyMs.cli;
    const ended = o.step?.(`waiting for ${what} to be Ready before the proxy goes`);
    // False also where its status could not be read: the wait gives up on an error.
    const ready = await waitForWorkloadReady(kube, namespace, o.ref, o.replicas, readyMs);
    ended?.(ready ? `${what} is Ready` : `${what}: not all of its pods seen Ready`);
    if (!ready)
      o.warn?.(
        `not all of the ${o.replicas} pods of ${what} were seen Ready (waited up to ${readyMs / 1000} s): the proxy goes now, and its Service may lack ready endpoints until they are`,
      );
  }
  // One never Ready took no connection: nothing to drain, nothing to wait for.
  if (!o.proxyWasReady) return deleteProxy(kube, namespace, proxy);
  const done = await deleteProxy(kube, namespace, proxy, proxyDrainGraceSeconds);
  if (!done.length) return done;
  const ended = o.step?.(`proxy pod ${proxy} serves on until connections stop reaching it`);
  const gone = await waitForPodGone(kube, namespace, proxy, (proxyDrainGraceSeconds + 5) * 1000, 200).then(
    () => true,
    () => false,
  );
  ended?.(gone ? `proxy pod ${proxy} gone` : `proxy pod ${proxy} still terminating`);
  return done;
}
