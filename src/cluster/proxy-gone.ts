import { TpError } from "../errors.js";
import type { Kube } from "../kube/kube.js";
import { kubeGet } from "../kube/kube-call.js";
import type { RemoteEnd } from "../kube/remote-end.js";
import { podFailure } from "./wait-for-pod.js";
import { watchForLoss, type LossWatch } from "./loss-watch.js";

/**
 * Why the proxy pod will not come back (deleted, being deleted, ended, a container that cannot
 * start), or undefined while it may, including when the cluster does not answer. Asked when a call
 * to the agent fails, so that the session names the cause rather than the call. With
 * `onlyContainer` (the agent's), of the containers only that one counts: the workload's other
 * containers in a swapped pod may crash without the session being lost.
 */
export async function proxyGone(
  kube: Kube,
  remote: Pick<RemoteEnd, "namespace" | "pod">,
  onlyContainer?: string,
): Promise<string | undefined> {
  const { namespace, pod: name } = remote;
  try {
    const pod = await kubeGet(`read pod ${namespace}/${name}`, () =>
      kube.core.readNamespacedPod({ name, namespace }),
    );
    if (!pod) return `the proxy pod ${namespace}/${name} was deleted`;
    if (pod.metadata?.deletionTimestamp) return `the proxy pod ${namespace}/${name} is being deleted`;
    return podFailure(pod, onlyContainer);
  } catch {
    return undefined;
  }
}

/** The session's end for a proxy pod that is gone (the reason from proxyGone). */
export function proxyGoneError(reason: string): TpError {
  return new TpError("cluster-error", reason, { hint: "the session ends; tp undoes it" });
}

/** How often a session looks at its proxy pod. */
export const proxyCheckMs = 2_000;

/**
 * Look at the proxy pod every `everyMs` once its agent runs (`running`), and reject `lost` once it
 * is gone for good: deleted, being deleted, ended, or its agent unable to start again. Its agent
 * serves on through a deletion's grace period while connections come, so the tunnel alone may
 * not tell of it for a long while: with a swap done, the workload would have no endpoint meanwhile.
 */
export function watchProxy(
  kube: Kube,
  remote: Pick<RemoteEnd, "namespace" | "pod" | "container" | "running">,
  everyMs = proxyCheckMs,
): LossWatch {
  return watchForLoss(
    () => proxyGone(kube, remote, remote.container),
    proxyGoneError,
    everyMs,
    remote.running,
  );
}
