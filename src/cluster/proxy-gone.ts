import { TpError } from "../errors.js";
import type { Kube } from "../kube/kube.js";
import { kubeGet } from "../kube/kube-call.js";
import type { RemoteEnd } from "../kube/remote-end.js";
import { podFailure } from "./wait-for-pod.js";

/**
 * Why the proxy pod will not come back (deleted, being deleted, ended), or undefined while it may,
 * including when the cluster does not answer. Asked when a call to the agent fails, so that the
 * session names the cause rather than the call.
 */
export async function proxyGone(
  kube: Kube,
  remote: Pick<RemoteEnd, "namespace" | "pod">,
): Promise<string | undefined> {
  const { namespace, pod: name } = remote;
  try {
    const pod = await kubeGet(`read pod ${namespace}/${name}`, () =>
      kube.core.readNamespacedPod({ name, namespace }),
    );
    if (!pod) return `the proxy pod ${namespace}/${name} was deleted`;
    if (pod.metadata?.deletionTimestamp) return `the proxy pod ${namespace}/${name} is being deleted`;
    return podFailure(pod);
  } catch {
    return undefined;
  }
}

/** The session's end for a proxy pod that is gone (the reason from proxyGone). */
export function proxyGoneError(reason: string): TpError {
  return new TpError("cluster-error", reason, { hint: "the session ends; tp undoes it" });
}
