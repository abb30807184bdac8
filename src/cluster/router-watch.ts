import { routerContainer } from "../contract/intercept-record.js";
import { TpError } from "../errors.js";
import { kubeGet } from "../kube/kube-call.js";
import type { Kube } from "../kube/kube.js";
import { podFailure } from "./wait-for-pod.js";
import { watchForLoss, type LossWatch } from "./loss-watch.js";

/** How often an intercepting session looks at its router pod. */
export const routerCheckMs = 2_000;

/** Rejects `lost` once the router pod is gone for good (see LossWatch). */
export type RouterWatch = LossWatch;

/** What a session watches: its router pod and the shadow Service behind it, as they were at its start. */
export interface WatchedRouter {
  pod: { name: string; uid?: string };
  /** Without it, every request that no session takes fails: as bad as a lost router. */
  shadow?: { name: string; uid?: string };
}

/**
 * Watch an intercept's router while the session uses it. The Service selects only the router, so
 * a router deleted (or replaced, or ended) by someone else leaves every client of the Service
 * without an endpoint: the session must end at once, and its undo puts the Service's own selector
 * back. A cluster that does not answer is not a lost router (the lease covers that).
 */
export function watchRouter(
  kube: Kube,
  namespace: string,
  { pod: { name, uid }, shadow }: WatchedRouter,
  everyMs = routerCheckMs,
): RouterWatch {
  const why = async (): Promise<string | undefined> => {
    try {
      const pod = await kubeGet(`read pod ${namespace}/${name}`, () =>
        kube.core.readNamespacedPod({ name, namespace }),
      );
      if (!pod) return `the router pod ${namespace}/${name} was deleted`;
      if (uid && pod.metadata?.uid !== uid) return `the router pod ${namespace}/${name} was replaced`;
      if (pod.metadata?.deletionTimestamp) return `the router pod ${namespace}/${name} is being deleted`;
      const failed = podFailure(pod, undefined, routerContainer);
      if (failed || !shadow) return failed;
      const svc = await kubeGet(`read service ${namespace}/${shadow.name}`, () =>
        kube.core.readNamespacedService({ name: shadow.name, namespace }),
      );
      if (!svc) return `the router's service ${namespace}/${shadow.name} was deleted`;
      if (shadow.uid && svc.metadata?.uid !== shadow.uid)
        return `the router's service ${namespace}/${shadow.name} was replaced`;
      return undefined;
    } catch {
      return undefined;
    }
  };
  return watchForLoss(
    why,
    (reason) =>
      new TpError(
        "cluster-error",
        `${reason}: the intercept ends, so that the Service selects its own pods again`,
      ),
    everyMs,
  );
}
