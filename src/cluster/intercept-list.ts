import { InterceptKeys, readIntercepts } from "../contract/intercept-record.js";
import { describeFilter, parseInterceptFilter } from "../contract/router-control.js";
import { removeIntercept } from "../kube/intercept-undo.js";
import { kubeCall } from "../kube/kube-call.js";
import type { Kube } from "../kube/kube.js";

/** One session's intercept of a Service, as recorded on it. */
export interface InterceptStatus {
  namespace: string;
  service: string;
  session: string;
  /** `deployment/web`. */
  workload: string;
  /** `x-dev=a`, `all traffic`. */
  filter: string;
  mirror: boolean;
  since: string;
  /** The session is ending it: the Service selects its own pods again, the router is going. */
  leaving: boolean;
}

/** Every intercept recorded on the Services of a namespace (of all namespaces when undefined). */
export async function listIntercepts(kube: Kube, namespace: string | undefined): Promise<InterceptStatus[]> {
  const list = await kubeCall("list services", () =>
    namespace === undefined
      ? kube.core.listServiceForAllNamespaces()
      : kube.core.listNamespacedService({ namespace }),
  );
  const out: InterceptStatus[] = [];
  for (const s of list.items) {
    const text = s.metadata?.annotations?.[InterceptKeys.intercepts];
    if (!text) continue;
    for (const [session, e] of Object.entries(readIntercepts(text).entries)) {
      let filter: string;
      try {
        filter = describeFilter(parseInterceptFilter(e.filter));
      } catch {
        filter = "(unreadable)";
      }
      out.push({
        namespace: s.metadata?.namespace ?? "default",
        service: s.metadata?.name ?? "",
        session,
        workload: e.workload,
        filter,
        mirror: e.mirror,
        since: e.since,
        leaving: e.leaving === true,
      });
    }
  }
  return out;
}

/**
 * `tp cleanup`: undo the intercepts of the sessions `dead` picks (a crashed session's entry goes;
 * with the last one the Service's selector comes back and the router goes). Returns what was done.
 */
export async function cleanupIntercepts(
  kube: Kube,
  namespace: string | undefined,
  dead: (i: InterceptStatus) => boolean,
): Promise<string[]> {
  const done: string[] = [];
  for (const i of (await listIntercepts(kube, namespace)).filter(dead))
    done.push(...(await removeIntercept(kube, i.namespace, i.service, i.session)));
  return done;
}
