import type { IncomingMessage, ServerResponse } from "node:http";
import type { KubeObject } from "../../shared/kube-object.js";
import { apiVersionOf, resourceKey, toServed, type ResourceDef } from "../resource-table.js";
import type { StoreEvent } from "../store/object-store.js";
import { partialMetadata, toTable } from "../tables/table-converter.js";
import type { ApiContext } from "./api-context.js";
import { badRequest, gone } from "./api-error.js";
import { rendering } from "./negotiate.js";
import { intParam } from "./query-options.js";

type EventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

const bookmarkEveryMs = 5_000;

/**
 * A watch: newline-delimited JSON events. Without a resourceVersion (or with "0") the current
 * objects come first as ADDED; with one, the changes after it, or 410 Gone when it is too old.
 * Objects that stop (start) matching the selectors leave (enter) as DELETED (ADDED).
 */
export function handleWatch(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  def: ResourceDef,
  ns: string | undefined,
  name: string,
  url: URL,
): void {
  const q = url.searchParams;
  let fieldSelector = q.get("fieldSelector") ?? "";
  if (name) fieldSelector = [fieldSelector, `metadata.name=${name}`].filter(Boolean).join(",");
  const match = ctx.registry.matcher(def, { labelSelector: q.get("labelSelector") ?? "", fieldSelector });
  const key = resourceKey(def);
  const inScope = (o: KubeObject): boolean =>
    !def.namespaced || ns === undefined || o.metadata.namespace === ns;
  const render = rendering(req);
  const include = (q.get("includeObject") ?? "Metadata") as "None" | "Metadata" | "Object";
  const rvParam = q.get("resourceVersion") ?? "";
  const sendInitial = q.get("sendInitialEvents") === "true";
  if (sendInitial && q.get("resourceVersionMatch") !== "NotOlderThan")
    throw badRequest(
      "sendInitialEvents is forbidden for watch unless resourceVersionMatch is set to NotOlderThan",
    );
  let startRv: number;
  if (rvParam !== "" && !/^\d+$/.test(rvParam)) throw badRequest(`invalid resource version: ${rvParam}`);
  const timeout = intParam(url, "timeoutSeconds") ?? 1800 + Math.floor(Math.random() * 1800);
  res.writeHead(200, {
    "Content-Type": "application/json",
    "Cache-Control": "no-cache, private",
    "Transfer-Encoding": "chunked",
  });
  // Clients wait for the headers before they start anything else.
  res.flushHeaders();
  let headersSent = false;
  const write = (type: EventType, object: unknown): void => {
    let payload = object;
    if (type !== "ERROR" && type !== "BOOKMARK") {
      const o = object as KubeObject;
      if (render === "table") {
        payload = toTable(def, [o], { resourceVersion: o.metadata.resourceVersion }, include, headersSent);
        headersSent = true;
      } else if (render === "partial") payload = partialMetadata(o);
      else payload = toServed(def, o);
    }
    res.write(JSON.stringify({ type, object: payload }) + "\n");
  };
  const initial = rvParam === "" || rvParam === "0" || sendInitial;
  if (initial) {
    startRv = ctx.store.currentRv();
    for (const o of ctx.store.list(key, def.namespaced ? ns : undefined)) if (match(o)) write("ADDED", o);
    if (sendInitial)
      write("BOOKMARK", {
        kind: def.kind,
        apiVersion: apiVersionOf(def),
        metadata: { resourceVersion: String(startRv), annotations: { "k8s.io/initial-events-end": "true" } },
      });
  } else startRv = Number(rvParam);
  const history = ctx.store.eventsSince(startRv);
  if (history === "expired") {
    write("ERROR", gone(`too old resource version: ${startRv} (${ctx.store.oldestRv() + 1})`).toStatus());
    res.end();
    return;
  }
  let lastRv = startRv;
  const onEvent = (e: StoreEvent): void => {
    if (e.resource !== key) return;
    lastRv = e.rv;
    const now = inScope(e.object) && match(e.object);
    const before = e.old !== undefined && inScope(e.old) && match(e.old);
    if (e.type === "ADDED" && now) write("ADDED", e.object);
    else if (e.type === "DELETED" && before) write("DELETED", e.object);
    else if (e.type === "MODIFIED") {
      if (now && before) write("MODIFIED", e.object);
      else if (now) write("ADDED", e.object);
      else if (before) write("DELETED", e.object);
    }
  };
  for (const e of history) onEvent(e);
  const unsubscribe = ctx.store.subscribe(onEvent);
  const bookmarks = q.get("allowWatchBookmarks") === "true";
  const ticker = bookmarks
    ? setInterval(() => {
        write("BOOKMARK", {
          kind: def.kind,
          apiVersion: apiVersionOf(def),
          metadata: { resourceVersion: String(Math.max(lastRv, ctx.store.currentRv())) },
        });
      }, bookmarkEveryMs)
    : undefined;
  const stop = (): void => {
    unsubscribe();
    if (ticker) clearInterval(ticker);
    clearTimeout(timer);
    if (!res.writableEnded) res.end();
  };
  const timer = setTimeout(stop, timeout * 1000);
  req.on("close", stop);
  res.on("close", stop);
}
