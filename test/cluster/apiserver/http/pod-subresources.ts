import type { IncomingMessage, ServerResponse } from "node:http";
import { isJsonObject, type JsonObject, type KubeObject } from "../../shared/kube-object.js";
import { findResource, type ResourceDef } from "../resource-table.js";
import { groupResource } from "../registry/registry.js";
import type { ApiContext } from "./api-context.js";
import { badRequest, methodNotSupported, ApiError } from "./api-error.js";
import { proxyStream } from "./kubelet-proxy.js";
import { evictPod } from "./pod-eviction.js";
import { resolveContainer } from "./pod-container.js";
import { deleteOptions } from "./query-options.js";
import { readObject } from "./request-body.js";
import type { RequestInfo } from "./request-info.js";
import { writeJson } from "./respond.js";

const podsDef = (): ResourceDef => findResource("", "v1", "pods")!;

const logParams = [
  "follow",
  "tailLines",
  "timestamps",
  "previous",
  "sinceSeconds",
  "sinceTime",
  "limitBytes",
  "insecureSkipTLSVerifyBackend",
];

/** The kubelet path (contract) for log, exec, attach and portforward of a pod. */
export function kubeletPath(ctx: ApiContext, info: RequestInfo, url: URL): { path: string; pod: KubeObject } {
  const pod = ctx.registry.get(podsDef(), info.namespace, info.name);
  const spec: JsonObject = isJsonObject(pod.spec) ? pod.spec : {};
  const phase = isJsonObject(pod.status) ? pod.status.phase : undefined;
  const ns = encodeURIComponent(info.namespace ?? "");
  const name = encodeURIComponent(info.name);
  const q = new URLSearchParams(url.searchParams);
  if (info.subresource === "portforward") {
    if (!spec.nodeName) throw badRequest(`pod ${info.name} does not have a host assigned`);
    return { path: `/portForward/${ns}/${name}${q.size ? `?${q}` : ""}`, pod };
  }
  const container = resolveContainer(pod, url.searchParams.get("container"));
  q.delete("container");
  if (info.subresource === "log") {
    for (const k of [...q.keys()]) if (!logParams.includes(k)) q.delete(k);
    return {
      path: `/containerLogs/${ns}/${name}/${encodeURIComponent(container)}${q.size ? `?${q}` : ""}`,
      pod,
    };
  }
  if (phase === "Succeeded" || phase === "Failed")
    throw badRequest(
      `cannot ${info.subresource} into a container in a completed pod; current phase is ${String(phase)}`,
    );
  if (!spec.nodeName) throw badRequest(`pod ${info.name} does not have a host assigned`);
  const verb = info.subresource === "exec" ? "exec" : "attach";
  return { path: `/${verb}/${ns}/${name}/${encodeURIComponent(container)}${q.size ? `?${q}` : ""}`, pod };
}

export async function handlePodSubresource(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  info: RequestInfo,
  url: URL,
): Promise<void> {
  const def = podsDef();
  switch (info.subresource) {
    case "log": {
      if (info.verb !== "get") throw methodNotSupported(groupResource(def), info.verb);
      const { path, pod } = kubeletPath(ctx, info, url);
      if (!(isJsonObject(pod.spec) && pod.spec.nodeName)) {
        res.writeHead(200, { "Content-Type": "text/plain" });
        res.end();
        return;
      }
      return proxyStream(ctx.kubelet, path, req, res);
    }
    case "exec":
    case "attach":
    case "portforward":
      kubeletPath(ctx, info, url);
      throw badRequest("Upgrade request required");
    case "binding":
      return bind(ctx, req, res, info);
    case "eviction": {
      // The Eviction's deleteOptions, and a dryRun in the query, as for a delete.
      const eviction = await readObject(req);
      const meta = isJsonObject(eviction) && isJsonObject(eviction.metadata) ? eviction.metadata : {};
      if (meta.name !== undefined && meta.name !== info.name)
        throw badRequest(`name in URL does not match name in Eviction object`);
      const options = deleteOptions(url, isJsonObject(eviction) ? eviction.deleteOptions : undefined);
      evictPod(ctx.registry, def, info.namespace, info.name, options);
      return writeJson(res, 201, {
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Success",
        code: 201,
      });
    }
    default:
      throw methodNotSupported(groupResource(def), info.verb);
  }
}

async function bind(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  info: RequestInfo,
): Promise<void> {
  const def = podsDef();
  const binding = (await readObject(req)) as KubeObject;
  const target = isJsonObject(binding.target) ? binding.target : {};
  const pod = ctx.registry.get(def, info.namespace, info.name);
  const spec = pod.spec as JsonObject;
  if (spec.nodeName)
    throw new ApiError(
      409,
      "Conflict",
      `Operation cannot be fulfilled on pods/binding "${info.name}": pod ${info.name} is already assigned to node "${String(spec.nodeName)}"`,
    );
  spec.nodeName = target.name;
  ctx.registry.store.update("/pods", pod);
  writeJson(res, 201, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 });
}
