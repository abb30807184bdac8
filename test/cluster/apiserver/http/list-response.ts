import type { IncomingMessage } from "node:http";
import type { KubeObject } from "../../shared/kube-object.js";
import { apiVersionOf, toServed, type ResourceDef } from "../resource-table.js";
import { partialMetadata, toTable, type IncludeObject } from "../tables/table-converter.js";
import { badRequest } from "./api-error.js";
import { rendering } from "./negotiate.js";
import { intParam } from "./query-options.js";

function includeObject(url: URL): IncludeObject {
  const v = url.searchParams.get("includeObject") ?? "Metadata";
  if (v !== "None" && v !== "Metadata" && v !== "Object") throw badRequest(`invalid includeObject: ${v}`);
  return v;
}

/** An object as a client asked to see it: itself, a one-row Table, or its metadata. */
export function renderObject(req: IncomingMessage, url: URL, def: ResourceDef, obj: KubeObject): unknown {
  const r = rendering(req);
  if (r === "table")
    return toTable(def, [obj], { resourceVersion: obj.metadata.resourceVersion }, includeObject(url));
  if (r === "partial") return partialMetadata(obj);
  return toServed(def, obj);
}

function stripTypeMeta(o: KubeObject): KubeObject {
  const { apiVersion: _a, kind: _k, ...rest } = o;
  return rest as KubeObject;
}

interface ContinueToken {
  rv: number;
  start: string;
}

/** A list in the form the client asked for, paged with limit/continue. */
export function renderList(
  req: IncomingMessage,
  url: URL,
  def: ResourceDef,
  all: KubeObject[],
  rv: number,
): unknown {
  let items = all;
  const meta: Record<string, unknown> = { resourceVersion: String(rv) };
  const keyOf = (o: KubeObject): string => `${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`;
  const cont = url.searchParams.get("continue");
  if (cont) {
    let token: ContinueToken;
    try {
      token = JSON.parse(Buffer.from(cont, "base64url").toString()) as ContinueToken;
    } catch {
      throw badRequest(
        "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)",
      );
    }
    items = items.filter((o) => keyOf(o) > token.start);
    meta.resourceVersion = String(token.rv);
  }
  const limit = intParam(url, "limit");
  if (limit !== undefined && limit > 0 && items.length > limit) {
    const page = items.slice(0, limit);
    const token: ContinueToken = { rv, start: keyOf(page[page.length - 1]!) };
    meta.continue = Buffer.from(JSON.stringify(token)).toString("base64url");
    meta.remainingItemCount = items.length - limit;
    items = page;
  }
  const r = rendering(req);
  if (r === "table") return toTable(def, items, meta, includeObject(url));
  if (r === "partial")
    return {
      kind: "PartialObjectMetadataList",
      apiVersion: "meta.k8s.io/v1",
      metadata: meta,
      items: items.map(partialMetadata),
    };
  return {
    kind: `${def.kind}List`,
    apiVersion: apiVersionOf(def),
    metadata: meta,
    items: items.map(stripTypeMeta),
  };
}
