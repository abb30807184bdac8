import type { IncomingMessage, ServerResponse } from "node:http";
import { isJsonObject, type JsonObject, type KubeObject } from "../../shared/kube-object.js";
import { removals } from "../patch/applied-configs.js";
import { applyPatch, patchTypeOf } from "../patch/apply-patch.js";
import { toServed, type ResourceDef } from "../resource-table.js";
import type { ApiContext } from "./api-context.js";
import { badRequest } from "./api-error.js";
import { renderObject } from "./list-response.js";
import { isDryRun } from "./query-options.js";
import { validateFields } from "./field-validation.js";
import { mediaType, readObject } from "./request-body.js";
import { writeJson } from "./respond.js";

/** PATCH with JSON patch, merge patch, strategic merge patch, or an apply configuration. */
export async function handlePatch(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  def: ResourceDef,
  ns: string | undefined,
  name: string,
  subresource: string,
  url: URL,
): Promise<void> {
  const type = patchTypeOf(mediaType(req));
  const patch = await readObject(req);
  const dryRun = isDryRun(url);
  const reg = ctx.registry;
  const manager = url.searchParams.get("fieldManager") ?? "";
  if (type === "apply" && !manager)
    throw badRequest(
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    );
  const current = reg.find(def, ns, name);
  if (!current) {
    if (type === "apply" && isJsonObject(patch) && !subresource) {
      const body = patch as KubeObject;
      validateFields(def, body, url, res);
      const config = structuredClone(body) as JsonObject;
      body.metadata = { ...(isJsonObject(body.metadata) ? body.metadata : {}), name };
      const created = reg.create(def, ns, body, { dryRun });
      if (!dryRun) ctx.applied.remember(created.metadata.uid ?? "", manager, config);
      return writeJson(res, 201, renderObject(req, url, def, created));
    }
    reg.get(def, ns, name);
    return;
  }
  let effective = patch;
  if (type === "apply" && isJsonObject(patch)) {
    const prev = ctx.applied.previous(current.metadata.uid ?? "", manager);
    if (prev) effective = applyPatch("strategic", removals(prev, patch, def.kind), patch, def.kind);
  }
  const patched = applyPatch(type, toServed(def, current), effective, def.kind);
  if (!isJsonObject(patched)) throw badRequest("the patch produced an object that is not an object");
  const obj = patched as KubeObject;
  validateFields(def, obj, url, res);
  if (!isJsonObject(obj.metadata)) obj.metadata = {};
  if (obj.metadata.name !== undefined && obj.metadata.name !== name)
    throw badRequest(
      `the name of the object (${String(obj.metadata.name)}) does not match the name on the URL (${name})`,
    );
  const r = reg.update(def, ns, name, obj, { dryRun, subresource: subresource || undefined });
  if (type === "apply" && !dryRun && isJsonObject(patch))
    ctx.applied.remember(current.metadata.uid ?? "", manager, patch);
  writeJson(res, 200, renderObject(req, url, def, r.object));
}
