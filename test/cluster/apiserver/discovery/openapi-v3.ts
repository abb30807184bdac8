import { createHash } from "node:crypto";
import { apiVersionOf, groupVersions, resources, type ResourceDef } from "../resource-table.js";

/**
 * A small OpenAPI v3 document per group version: the paths with their operations, the GVK
 * extension and the fieldValidation parameter, which is what kubectl reads to learn that the
 * server validates fields itself. Schemas are not described, so kubectl builds strategic merge
 * patches from its compiled-in types, as it does when a schema is missing.
 */
function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

const param = (name: string, inWhere: "query" | "path"): Record<string, unknown> => ({
  name,
  in: inWhere,
  ...(inWhere === "path" ? { required: true } : {}),
  schema: { type: "string", uniqueItems: true },
});

function operations(r: ResourceDef): Record<string, unknown> {
  const gvk = { group: r.group, version: r.version, kind: r.kind };
  const prefix = `/${gvPath(r.group, r.version)}${r.namespaced ? "/namespaces/{namespace}" : ""}/${r.plural}`;
  const common = [
    param("fieldValidation", "query"),
    param("dryRun", "query"),
    param("fieldManager", "query"),
  ];
  const op = (
    verb: string,
    action: string,
    extra: Record<string, unknown>[] = [],
  ): Record<string, unknown> => ({
    operationId: `${action}${r.kind}`,
    "x-kubernetes-action": verb,
    "x-kubernetes-group-version-kind": gvk,
    parameters: extra,
    responses: { "200": { description: "OK" } },
  });
  const paths: Record<string, unknown> = {};
  const pathParams = r.namespaced ? [param("namespace", "path")] : [];
  paths[prefix] = {
    parameters: pathParams,
    get: op("list", "list"),
    ...(r.verbs.includes("create") ? { post: op("post", "create", common) } : {}),
  };
  paths[`${prefix}/{name}`] = {
    parameters: [...pathParams, param("name", "path")],
    get: op("get", "read"),
    ...(r.verbs.includes("update") ? { put: op("put", "replace", common) } : {}),
    ...(r.verbs.includes("patch")
      ? { patch: op("patch", "patch", [...common, param("force", "query")]) }
      : {}),
    ...(r.verbs.includes("delete") ? { delete: op("delete", "delete") } : {}),
  };
  return paths;
}

export function openApiDocument(group: string, version: string): unknown | undefined {
  const list = resources.filter((r) => r.group === group && r.version === version);
  if (!list.length) return undefined;
  return {
    openapi: "3.0.0",
    info: { title: "Kubernetes", version: "v1.32.0" },
    paths: Object.assign({}, ...list.map(operations)) as Record<string, unknown>,
    components: { schemas: {} },
  };
}

export function openApiRoot(): unknown {
  const paths: Record<string, unknown> = {};
  for (const gv of groupVersions()) {
    if (!resources.some((r) => apiVersionOf(r) === apiVersionOf(gv))) continue;
    const p = gvPath(gv.group, gv.version);
    const hash = createHash("sha512")
      .update(JSON.stringify(openApiDocument(gv.group, gv.version)))
      .digest("hex")
      .slice(0, 128);
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hash.toUpperCase()}` };
  }
  return { paths };
}
