import { InterceptKeys, type InterceptEntry } from "../contract/intercept-record.js";
import {
  describeFilter,
  parseInterceptFilter,
  sameFilter,
  type InterceptFilter,
} from "../contract/router-control.js";
import { TpError } from "../errors.js";
import { changeIntercepts } from "../kube/intercept-undo.js";
import { kubeGet } from "../kube/kube-call.js";
import type { Kube } from "../kube/kube.js";
import { isLeaseLive, leaseName } from "./session-lease.js";

/** The sessions among `ids` whose Lease is renewed: an entry of any other is left over by a crash. */
export async function liveSessions(kube: Kube, namespace: string, ids: string[]): Promise<Set<string>> {
  const live = new Set<string>();
  await Promise.all(
    ids.map(async (id) => {
      const lease = await kubeGet(`read lease ${leaseName(id)}`, () =>
        kube.coordination.readNamespacedLease({ name: leaseName(id), namespace }),
      ).catch(() => ({}) as never);
      if (lease === undefined) return;
      if (!lease.spec || isLeaseLive(lease)) live.add(id);
    }),
  );
  return live;
}

/** A recorded filter as the router reads it; undefined when it is not one (another tp's). */
function recorded(e: InterceptEntry): InterceptFilter | undefined {
  try {
    return parseInterceptFilter(e.filter);
  } catch {
    return undefined;
  }
}

function sameAs(e: InterceptEntry, filter: InterceptFilter): boolean {
  const f = recorded(e);
  return f !== undefined && sameFilter(f, filter);
}

/** A live session that takes the same requests: two sessions may not share a filter. */
export function sameFilterHolder(
  entries: Record<string, InterceptEntry>,
  filter: InterceptFilter,
  live: Set<string>,
): string | undefined {
  return Object.entries(entries).find(([id, e]) => live.has(id) && sameAs(e, filter))?.[0];
}

export function filterTaken(holder: string, service: string, namespace: string, filter: InterceptFilter) {
  return new TpError(
    "conflict",
    `service ${namespace}/${service} is already intercepted for ${describeFilter(filter)} by tp session ${holder}`,
    { hint: "use another --http-header value, end that session, or run `tp cleanup` if it is gone" },
  );
}

/** Record the session's entry on the Service (before anything is made); refuses a taken filter. */
export async function addEntry(
  kube: Kube,
  namespace: string,
  service: string,
  sessionId: string,
  entry: InterceptEntry,
  filter: InterceptFilter,
): Promise<void> {
  const before = await changeIntercepts(kube, namespace, service, (e) => ({ result: e }));
  const live = await liveSessions(kube, namespace, Object.keys(before ?? {}));
  const added = await changeIntercepts(kube, namespace, service, (entries, _svc, write) => {
    // An entry that came since it was read counts as live.
    const holder = sameFilterHolder(
      entries,
      filter,
      new Set([...live, ...Object.keys(entries).filter((id) => !(before && id in before))]),
    );
    if (holder) return { result: holder };
    // A left-over entry of a crashed session with the same filter gives way.
    const kept = Object.fromEntries(
      Object.entries(entries).filter(([id, e]) => live.has(id) || !sameAs(e, filter)),
    );
    return {
      patch: {
        metadata: { annotations: { [InterceptKeys.intercepts]: write({ ...kept, [sessionId]: entry }) } },
      },
      result: undefined,
    };
  });
  if (added === undefined && before === undefined)
    throw new TpError("not-found", `service ${namespace}/${service} is gone`);
  if (added) throw filterTaken(added, service, namespace, filter);
}
