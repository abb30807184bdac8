import type { V1Service } from "@kubernetes/client-node";
import {
  InterceptKeys,
  readIntercepts,
  routerPodName,
  shadowServiceName,
  writeIntercepts,
  type InterceptEntries,
} from "../contract/intercept-record.js";
import { TpError } from "../errors.js";
import { reachStage, Stages } from "../stages.js";
import { kubeGet } from "./kube-call.js";
import type { Kube } from "./kube.js";
import { patchWorkload, readWorkload } from "./workload-api.js";

/** A Service as a resource of the API, for the generic calls of workload-api.ts. */
function serviceRef(name: string) {
  return { group: "", version: "v1", resource: "services", kind: "Service", name };
}

/** Read a Service; undefined when it does not exist. */
export async function readService(
  kube: Kube,
  namespace: string,
  name: string,
): Promise<V1Service | undefined> {
  return (await readWorkload(kube, namespace, serviceRef(name))) as V1Service | undefined;
}

/** A JSON merge patch of a Service; with metadata.resourceVersion it fails (409) if it changed. */
export async function patchService(
  kube: Kube,
  namespace: string,
  name: string,
  body: unknown,
  what: string,
): Promise<V1Service> {
  return (await patchWorkload(kube, namespace, serviceRef(name), body, what)) as V1Service;
}

/**
 * Read-modify-write of a Service's intercepts with its resourceVersion, tried again when someone
 * else changed the Service meanwhile (409). `change` gets the entries as read and returns the
 * patch to make (without the resourceVersion), or undefined for nothing to do.
 */
export async function changeIntercepts<T>(
  kube: Kube,
  namespace: string,
  name: string,
  change: (
    entries: InterceptEntries,
    service: V1Service,
    write: (entries: InterceptEntries) => string | null,
  ) => { patch?: Record<string, unknown>; result: T },
): Promise<T | undefined> {
  for (let attempt = 0; ; attempt++) {
    const service = await readService(kube, namespace, name);
    if (!service) return undefined;
    const read = readIntercepts(service.metadata?.annotations?.[InterceptKeys.intercepts]);
    const write = (entries: InterceptEntries) => writeIntercepts(entries, read.unreadable) ?? null;
    const { patch, result } = change(read.entries, service, write);
    if (!patch) return result;
    const metadata = (patch["metadata"] ?? {}) as Record<string, unknown>;
    try {
      await patchService(
        kube,
        namespace,
        name,
        { ...patch, metadata: { ...metadata, resourceVersion: service.metadata?.resourceVersion } },
        `change the intercepts of service ${namespace}/${name}`,
      );
      return result;
    } catch (err) {
      if (!(err instanceof TpError && err.code === "conflict") || attempt >= 9) throw err;
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 200));
    }
  }
}

/** The Service's selector before tp pointed it at the router, as recorded on it. */
export function originalSelector(service: V1Service): Record<string, string> | undefined {
  const text = service.metadata?.annotations?.[InterceptKeys.originalSelector];
  if (!text) return undefined;
  try {
    const json: unknown = JSON.parse(text);
    if (json && typeof json === "object" && Object.values(json).every((v) => typeof v === "string"))
      return json as Record<string, string>;
  } catch {
    // Not ours to guess: left as it is.
  }
  return undefined;
}

/** The patch that points the Service at its own pods again (from the record), if it needs one. */
function restoreSelector(svc: V1Service): { spec?: unknown; annotation?: null } {
  const original = originalSelector(svc);
  if (original) {
    // The router's key goes, the Service's own keys come back.
    const selector: Record<string, string | null> = { ...original };
    for (const k of Object.keys(svc.spec?.selector ?? {})) if (!(k in original)) selector[k] = null;
    return { spec: { selector }, annotation: null };
  }
  return InterceptKeys.originalSelector in (svc.metadata?.annotations ?? {}) ? { annotation: null } : {};
}

/**
 * Undo a session's intercept of a Service, in three steps, each idempotent and safe to redo after
 * a crash at any moment: (1) when no other entry is left, the Service's own selector comes back
 * and the session's entry is marked `leaving` (one patch; with other entries the entry just goes
 * and that is all); (2) the router pod and the shadow Service are deleted (only when the session
 * had an entry, or the Service is gone); (3) the entry goes. A
 * joining session waits while a live session's entry is leaving (addEntry), so the deletes of (2)
 * never hit a router it uses. Used by the CLI, the warden and `tp cleanup`. Returns what was done.
 */
export async function removeIntercept(
  kube: Kube,
  namespace: string,
  service: string,
  sessionId: string,
): Promise<string[]> {
  const done: string[] = [];
  const what = `intercept of service ${namespace}/${service} by session ${sessionId}`;
  const first = await changeIntercepts<{ left: boolean; mine: boolean; lines: string[] }>(
    kube,
    namespace,
    service,
    (entries, svc, write) => {
      const mine = entries[sessionId];
      const rest = { ...entries };
      delete rest[sessionId];
      const left = Object.keys(rest).length > 0 || write({}) !== null;
      if (left) {
        // Others remain: they keep the router; this entry just goes.
        const patch = mine
          ? { metadata: { annotations: { [InterceptKeys.intercepts]: write(rest) } } }
          : undefined;
        const lines = mine ? [`${what} removed`] : [];
        return { ...(patch ? { patch } : {}), result: { left, mine: false, lines } };
      }
      const restore = restoreSelector(svc);
      const meta: Record<string, unknown> = {};
      if (mine && !mine.leaving)
        meta[InterceptKeys.intercepts] = write({ [sessionId]: { ...mine, leaving: true } });
      if (restore.annotation === null) meta[InterceptKeys.originalSelector] = null;
      const patch: Record<string, unknown> = {
        ...(restore.spec ? { spec: restore.spec } : {}),
        ...(Object.keys(meta).length ? { metadata: { annotations: meta } } : {}),
      };
      const lines = restore.spec ? [`service ${namespace}/${service} selects its own pods again`] : [];
      return { ...(Object.keys(patch).length ? { patch } : {}), result: { left, mine: !!mine, lines } };
    },
  );
  done.push(...(first?.lines ?? []));
  // Others remain: the router is theirs. Without an entry of this session (its claim never landed,
  // or this undo ran to its end before), the router is not this session's to delete either: a
  // session that joins now may be making it, and no leaving entry would tell it to wait.
  if (first && (first.left || !first.mine)) return done;
  await reachStage(Stages.interceptLeaving);
  // Nothing left (or the Service itself is gone): the router and the shadow Service go.
  const router = routerPodName(service);
  if (
    await kubeGet(`delete pod ${router}`, () =>
      kube.core.deleteNamespacedPod({ name: router, namespace, gracePeriodSeconds: 1 }),
    )
  )
    done.push(`router pod ${namespace}/${router} deleted`);
  const shadow = shadowServiceName(service);
  if (
    await kubeGet(`delete service ${shadow}`, () =>
      kube.core.deleteNamespacedService({ name: shadow, namespace }),
    )
  )
    done.push(`service ${namespace}/${shadow} deleted`);
  if (!first) return done;
  const removed = await changeIntercepts(kube, namespace, service, (entries, _svc, write) => {
    if (!(sessionId in entries)) return { result: false };
    const rest = { ...entries };
    delete rest[sessionId];
    return {
      patch: { metadata: { annotations: { [InterceptKeys.intercepts]: write(rest) } } },
      result: true,
    };
  });
  if (removed) done.push(`${what} removed`);
  return done;
}
