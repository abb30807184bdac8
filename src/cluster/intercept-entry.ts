import { InterceptKeys, type InterceptEntry } from "../contract/intercept-record.js";
import {
  describeFilter,
  parseInterceptFilter,
  sameFilter,
  type InterceptFilter,
} from "../contract/router-control.js";
import { TimeoutError, TpError } from "../errors.js";
import { changeIntercepts, removeIntercept } from "../kube/intercept-undo.js";
import { kubeGet } from "../kube/kube-call.js";
import type { Kube } from "../kube/kube.js";
import { waitFor } from "../wait.js";
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

/** A live session that takes the same requests (and is not leaving): two sessions may not share a filter. */
export function sameFilterHolder(
  entries: Record<string, InterceptEntry>,
  filter: InterceptFilter,
  live: Set<string>,
): string | undefined {
  return Object.entries(entries).find(([id, e]) => live.has(id) && !e.leaving && sameAs(e, filter))?.[0];
}

export function filterTaken(holder: string, service: string, namespace: string, filter: InterceptFilter) {
  return new TpError(
    "conflict",
    `service ${namespace}/${service} is already intercepted for ${describeFilter(filter)} by tp session ${holder}`,
    { hint: "use another --http-header value, end that session, or run `tp cleanup` if it is gone" },
  );
}

export interface AddEntryOptions {
  signal?: AbortSignal;
  /** Told once when another session's teardown is waited for. */
  onWait?: (session: string) => void;
  pollMs?: number;
  /** How long a live session's teardown is waited for. */
  timeoutMs?: number;
}

/** The entry a session adds to a Service's intercepts, and the filter it takes. */
export interface NewEntry {
  service: string;
  sessionId: string;
  entry: InterceptEntry;
  filter: InterceptFilter;
}

type Attempt = { added: true } | { wait: string } | { finish: string } | { taken: string };

/**
 * Record the session's entry on the Service (before anything is made); refuses a taken filter.
 * While another session's entry is `leaving` (its teardown restored the selector and is deleting
 * the router and the shadow Service), it waits for that entry to go, or when that session's Lease
 * is not live (it crashed mid-teardown) finishes that teardown itself: adding the entry then would
 * let those deletes break this session's intercept.
 */
export async function addEntry(
  kube: Kube,
  namespace: string,
  add: NewEntry,
  options: AddEntryOptions = {},
): Promise<void> {
  const { service, filter } = add;
  const timeoutMs = options.timeoutMs ?? 90_000;
  let waiting: string | undefined;
  const attempt = async (): Promise<true | undefined> => {
    options.signal?.throwIfAborted();
    const outcome = await tryAddEntry(kube, namespace, add);
    if (!outcome) throw new TpError("not-found", `service ${namespace}/${service} is gone`);
    if ("taken" in outcome) throw filterTaken(outcome.taken, service, namespace, filter);
    if ("finish" in outcome) await removeIntercept(kube, namespace, service, outcome.finish);
    if ("wait" in outcome && waiting !== outcome.wait) {
      waiting = outcome.wait;
      options.onWait?.(waiting);
    }
    return "added" in outcome ? true : undefined;
  };
  try {
    await waitFor(`the intercepts of service ${namespace}/${service}`, attempt, {
      timeoutMs,
      intervalMs: options.pollMs ?? 300,
    });
  } catch (err) {
    if (!(err instanceof TimeoutError)) throw err;
    throw new TimeoutError(
      `tp session ${waiting} did not finish ending its intercept of service ${namespace}/${service} within ${timeoutMs / 1000} s`,
      { hint: `if that session is stuck or gone, run \`tp cleanup --session ${waiting}\`, then try again` },
    );
  }
}

/** One read-modify-write of the entries: add this session's, or say why not yet. */
async function tryAddEntry(kube: Kube, namespace: string, add: NewEntry): Promise<Attempt | undefined> {
  const { service, sessionId, entry, filter } = add;
  const before = await changeIntercepts(kube, namespace, service, (e) => ({ result: e }));
  const live = await liveSessions(kube, namespace, Object.keys(before ?? {}));
  return changeIntercepts<Attempt>(kube, namespace, service, (entries, _svc, write) => {
    // An entry that came since it was read counts as live.
    const liveNow = new Set([...live, ...Object.keys(entries).filter((id) => !(before && id in before))]);
    const leaving = Object.keys(entries).filter((id) => id !== sessionId && entries[id]?.leaving);
    const wait = leaving.find((id) => liveNow.has(id));
    if (wait) return { result: { wait } };
    if (leaving[0]) return { result: { finish: leaving[0] } };
    const holder = sameFilterHolder(entries, filter, liveNow);
    if (holder) return { result: { taken: holder } };
    // A left-over entry of a crashed session with the same filter gives way.
    const kept = Object.fromEntries(
      Object.entries(entries).filter(([id, e]) => live.has(id) || !sameAs(e, filter)),
    );
    return {
      patch: {
        metadata: { annotations: { [InterceptKeys.intercepts]: write({ ...kept, [sessionId]: entry }) } },
      },
      result: { added: true },
    };
  });
}
