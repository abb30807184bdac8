import type { IncomingMessage, ServerResponse } from "node:http";
import { isJsonObject, type JsonObject, type KubeObject } from "../../shared/kube-object.js";
import { applyPatch, patchTypeOf } from "../patch/apply-patch.js";
import { groupResource } from "../registry/registry.js";
import type { ResourceDef } from "../resource-table.js";
import { selectorString, type LabelSelectorObject } from "../selectors/label-selector.js";
import type { ApiContext } from "./api-context.js";
import { badRequest, methodNotSupported, staleConflict } from "./api-error.js";
import { isDryRun } from "./query-options.js";
import { mediaType, readObject } from "./request-body.js";
import type { RequestInfo } from "./request-info.js";
import { writeJson } from "./respond.js";

/** autoscaling/v1 Scale of a Deployment or ReplicaSet. */
export function scaleOf(obj: KubeObject): KubeObject {
  const spec = isJsonObject(obj.spec) ? obj.spec : {};
  const status = isJsonObject(obj.status) ? obj.status : {};
  const m = obj.metadata;
  return {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: {
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      creationTimestamp: m.creationTimestamp,
    },
    spec: { replicas: spec.replicas ?? 0 },
    status: {
      replicas: status.replicas ?? 0,
      selector: selectorString(spec.selector as LabelSelectorObject | undefined),
    },
  };
}

export async function handleScale(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  info: RequestInfo,
  def: ResourceDef,
  url: URL,
): Promise<void> {
  const reg = ctx.registry;
  const ns = info.namespace;
  const current = reg.get(def, ns, info.name);
  if (info.verb === "get") return writeJson(res, 200, scaleOf(current));
  let scale: KubeObject;
  if (info.verb === "update") scale = (await readObject(req)) as KubeObject;
  else if (info.verb === "patch") {
    const patched = applyPatch(patchTypeOf(mediaType(req)), scaleOf(current), await readObject(req), "Scale");
    scale = patched as KubeObject;
  } else throw methodNotSupported(groupResource(def), info.verb);
  if (!isJsonObject(scale) || !isJsonObject(scale.spec))
    throw badRequest("the object provided is unrecognized");
  const rv = isJsonObject(scale.metadata) ? scale.metadata.resourceVersion : undefined;
  if (rv && rv !== current.metadata.resourceVersion) throw staleConflict(groupResource(def), info.name);
  const replicas = (scale.spec as JsonObject).replicas;
  if (typeof replicas !== "number" || replicas < 0 || !Number.isInteger(replicas))
    throw badRequest(
      `Scale.autoscaling "${info.name}" is invalid: spec.replicas: Invalid value: ${String(replicas)}: must be greater than or equal to 0`,
    );
  (current.spec as JsonObject).replicas = replicas;
  const r = reg.update(def, ns, info.name, current, { dryRun: isDryRun(url) });
  writeJson(res, 200, scaleOf(r.object));
}
