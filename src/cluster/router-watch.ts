import { TpError } from "../errors.js";
import { kubeGet } from "../kube/kube-call.js";
import type { Kube } from "../kube/kube.js";
import { podFailure } from "./wait-for-pod.js";

/** How often an intercepting session looks at its router pod. */
export const routerCheckMs = 2_000;

export interface RouterWatch {
  /** Rejects, naming what happened, once the router pod is gone for good; never resolves. */
  lost: Promise<never>;
  /** Stop looking (the session ends, or deletes the router itself): `lost` then never settles. */
  stop(): void;
}

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
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let fail: (err: Error) => void = () => undefined;
  const lost = new Promise<never>((_, reject) => (fail = reject));
  lost.catch(() => undefined);
  const why = async (): Promise<string | undefined> => {
    try {
      const pod = await kubeGet(`read pod ${namespace}/${name}`, () =>
        kube.core.readNamespacedPod({ name, namespace }),
      );
      if (!pod) return `the router pod ${namespace}/${name} was deleted`;
      if (uid && pod.metadata?.uid !== uid) return `the router pod ${namespace}/${name} was replaced`;
      if (pod.metadata?.deletionTimestamp) return `the router pod ${namespace}/${name} is being deleted`;
      const failed = podFailure(pod);
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
  const check = async () => {
    const reason = await why();
    if (stopped) return;
    if (reason) {
      stopped = true;
      fail(
        new TpError(
          "cluster-error",
          `${reason}: the intercept ends, so that the Service selects its own pods again`,
        ),
      );
      return;
    }
    timer = setTimeout(() => void check(), everyMs);
    timer.unref();
  };
  timer = setTimeout(() => void check(), everyMs);
  timer.unref();
  return {
    lost,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
