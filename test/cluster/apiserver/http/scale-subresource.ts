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

/** The value at a simple JSONPath of a CRD's scale subresource (`.spec.replicas`). */
export function atPath(obj: JsonObject, path: string): unknown {
  let cur: unknown = obj;
  for (const k of path.replace(/^\./, "").split(".")) cur = isJsonObject(cur) ? cur[k] : undefined;
  return cur;
}

function setAtPath(obj: JsonObject, path: string, value: number): void {
  const keys = path.replace(/^\./, "").split(".");
  let cur = obj;
  for (const k of keys.slice(0, -1)) {
    if (!isJsonObject(cur[k])) cur[k] = {};
    cur = cur[k] as JsonObject;
  }
  cur[keys.at(-1) as string] = value;
}

/** Where a resource keeps its replicas: the built-in workloads' fields, or a CRD's paths. */
function pathsOf(def: ResourceDef): NonNullable<ResourceDef["scalePaths"]> {
  return def.scalePaths ?? { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas" };
}

/** autoscaling/v1 Scale of a workload (Deployment, ReplicaSet, StatefulSet, custom resource). */
export function scaleOf(obj: KubeObject, def: ResourceDef): KubeObject {
  const paths = pathsOf(def);
  const spec = isJsonObject(obj.spec) ? obj.spec : {};
  const m = obj.metadata;
  const selector = def.scalePaths
    ? paths.labelSelectorPath
      ? atPath(obj, paths.labelSelectorPath)
      : undefined
    : selectorString(spec.selector as LabelSelectorObject | undefined);
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
    spec: { replicas: atPath(obj, paths.specReplicasPath) ?? 0 },
    status: {
      replicas: atPath(obj, paths.statusReplicasPath) ?? 0,
      ...(typeof selector === "string" ? { selector } : {}),
    },
  } as KubeObject;
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
  if (info.verb === "get") return writeJson(res, 200, scaleOf(current, def));
  let scale: KubeObject;
  if (info.verb === "update") scale = (await readObject(req)) as KubeObject;
  else if (info.verb === "patch") {
    const patched = applyPatch(
      patchTypeOf(mediaType(req)),
      scaleOf(current, def),
      await readObject(req),
      "Scale",
    );
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
  setAtPath(current, pathsOf(def).specReplicasPath, replicas);
  const r = reg.update(def, ns, info.name, current, { dryRun: isDryRun(url) });
  writeJson(res, 200, scaleOf(r.object, def));
}
