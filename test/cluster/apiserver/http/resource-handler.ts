import type { IncomingMessage, ServerResponse } from "node:http";
import type { KubeObject } from "../../shared/kube-object.js";
import { findResource, type ResourceDef } from "../resource-table.js";
import { groupResource } from "../registry/registry.js";
import type { ApiContext } from "./api-context.js";
import { ApiError, methodNotSupported, notFound, pathNotFound } from "./api-error.js";
import { renderList, renderObject } from "./list-response.js";
import { handlePatch } from "./patch-handler.js";
import { handlePodSubresource } from "./pod-subresources.js";
import { deleteOptions, isDryRun } from "./query-options.js";
import { readObject, readOptionalObject } from "./request-body.js";
import type { RequestInfo } from "./request-info.js";
import { addWarnings, writeJson } from "./respond.js";
import { handleReview } from "./review-handler.js";
import { handleScale } from "./scale-subresource.js";
import { handleTokenRequest } from "./token-subresource.js";
import { handleWatch } from "./watch-handler.js";
import { validateFields } from "./field-validation.js";
import type { UserInfo } from "../auth/user-info.js";

function successStatus(def: ResourceDef, obj: KubeObject): unknown {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Success",
    details: {
      name: obj.metadata.name,
      ...(def.group ? { group: def.group } : {}),
      kind: def.plural,
      uid: obj.metadata.uid,
    },
  };
}

export function resolveResource(info: RequestInfo): ResourceDef {
  const def = findResource(info.group, info.version, info.resource);
  if (!def) throw pathNotFound();
  if (info.subresource && !def.subresources.some((s) => s.name === info.subresource)) throw pathNotFound();
  if (info.namespace !== undefined && !def.namespaced && info.resource !== "namespaces") throw pathNotFound();
  return def;
}

export async function handleResource(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  info: RequestInfo,
  url: URL,
  user: UserInfo,
): Promise<void> {
  const def = resolveResource(info);
  // GET /api/v1/namespaces/{name} addresses the namespace itself.
  const ns = def.plural === "namespaces" ? undefined : info.namespace;
  const name = info.name;
  const reg = ctx.registry;
  if (
    ["tokenreviews", "selfsubjectreviews", "selfsubjectaccessreviews", "subjectaccessreviews"].includes(
      def.plural,
    )
  ) {
    if (info.verb !== "create") throw methodNotSupported(groupResource(def), info.verb);
    return handleReview(ctx, req, res, def, user);
  }
  if (info.subresource === "scale") return handleScale(ctx, req, res, info, def, url);
  if (def.plural === "pods" && info.subresource && info.subresource !== "status")
    return handlePodSubresource(ctx, req, res, info, url);
  if (info.subresource === "token") return handleTokenRequest(ctx, req, res, info, url);
  if (!def.verbs.includes(info.verb) && !(info.subresource && ["get", "update", "patch"].includes(info.verb)))
    throw methodNotSupported(groupResource(def), info.verb);
  if (
    def.namespaced &&
    ns === undefined &&
    ["create", "get", "update", "patch", "delete"].includes(info.verb)
  )
    throw pathNotFound();
  switch (info.verb) {
    case "get":
      return writeJson(res, 200, renderObject(req, url, def, reg.get(def, ns, name)));
    case "list": {
      const rv = ctx.store.currentRv();
      const items = reg.list(def, ns, {
        labelSelector: url.searchParams.get("labelSelector") ?? "",
        fieldSelector: url.searchParams.get("fieldSelector") ?? "",
      });
      return writeJson(res, 200, renderList(req, url, def, items, rv));
    }
    case "watch":
      return handleWatch(ctx, req, res, def, ns, name, url);
    case "create": {
      if (name) throw methodNotSupported(groupResource(def), "create");
      const body = (await readObject(req)) as KubeObject;
      validateFields(def, body, url, res);
      const warnings: string[] = [];
      const created = reg.create(def, ns, body, { dryRun: isDryRun(url), warnings });
      addWarnings(res, warnings);
      return writeJson(res, 201, renderObject(req, url, def, created));
    }
    case "update": {
      const body = (await readObject(req)) as KubeObject;
      validateFields(def, body, url, res);
      const r = reg.update(def, ns, name, body, {
        dryRun: isDryRun(url),
        subresource: info.subresource || undefined,
      });
      return writeJson(res, r.created ? 201 : 200, renderObject(req, url, def, r.object));
    }
    case "patch":
      return handlePatch(ctx, req, res, def, ns, name, info.subresource, url);
    case "delete": {
      const body = await readOptionalObject(req);
      const r = reg.delete(def, ns, name, deleteOptions(url, body));
      if (r.deleted && !def.returnsDeletedObject) return writeJson(res, 200, successStatus(def, r.object));
      const pending = !r.deleted && (r.object.metadata.finalizers ?? []).includes("foregroundDeletion");
      return writeJson(res, pending ? 202 : 200, renderObject(req, url, def, r.object));
    }
    case "deletecollection": {
      const body = await readOptionalObject(req);
      const opts = deleteOptions(url, body);
      const items = reg.list(def, ns, {
        labelSelector: url.searchParams.get("labelSelector") ?? "",
        fieldSelector: url.searchParams.get("fieldSelector") ?? "",
      });
      const out: KubeObject[] = [];
      for (const o of items) {
        try {
          out.push(reg.delete(def, o.metadata.namespace, o.metadata.name ?? "", opts).object);
        } catch (err) {
          if (!(err instanceof ApiError && err.code === 404)) throw err;
        }
      }
      return writeJson(res, 200, renderList(req, url, def, out, ctx.store.currentRv()));
    }
    default:
      throw notFound(groupResource(def), name);
  }
}
