import type { IncomingMessage, ServerResponse } from "node:http";
import { isJsonObject, kubeNow, type JsonObject } from "../../shared/kube-object.js";
import { findResource } from "../resource-table.js";
import type { ApiContext } from "./api-context.js";
import { badRequest, invalid } from "./api-error.js";
import { readObject } from "./request-body.js";
import type { RequestInfo } from "./request-info.js";
import { writeJson } from "./respond.js";

/** POST serviceaccounts/{name}/token: an authentication.k8s.io/v1 TokenRequest answered with a token. */
export async function handleTokenRequest(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  info: RequestInfo,
  _url: URL,
): Promise<void> {
  if (info.verb !== "create") throw badRequest("only create is supported on serviceaccounts/token");
  const sa = ctx.registry.get(findResource("", "v1", "serviceaccounts")!, info.namespace, info.name);
  const body = await readObject(req);
  const tr = (isJsonObject(body) ? body : {}) as JsonObject;
  const spec: JsonObject = isJsonObject(tr.spec) ? tr.spec : {};
  const seconds = typeof spec.expirationSeconds === "number" ? spec.expirationSeconds : 3600;
  if (seconds < 600)
    throw invalid("TokenRequest", "authentication.k8s.io", info.name, [
      {
        type: "FieldValueInvalid",
        field: "spec.expirationSeconds",
        value: seconds,
        detail: "may not specify a duration less than 10 minutes",
      },
    ]);
  const bound = isJsonObject(spec.boundObjectRef) ? spec.boundObjectRef : undefined;
  let boundObject: { kind: string; name: string; uid: string } | undefined;
  if (bound?.kind === "Pod") {
    const pod = ctx.registry.get(findResource("", "v1", "pods")!, info.namespace, String(bound.name));
    boundObject = { kind: "Pod", name: String(bound.name), uid: pod.metadata.uid ?? "" };
  }
  const audiences = Array.isArray(spec.audiences) ? spec.audiences.map(String) : [];
  const { token, claims } = ctx.tokens.issue(
    info.namespace ?? "",
    { name: info.name, uid: sa.metadata.uid ?? "" },
    seconds,
    audiences,
    boundObject,
  );
  writeJson(res, 201, {
    kind: "TokenRequest",
    apiVersion: "authentication.k8s.io/v1",
    metadata: { name: info.name, namespace: info.namespace, creationTimestamp: null },
    spec: { audiences: claims.aud, expirationSeconds: seconds, boundObjectRef: bound ?? null },
    status: { token, expirationTimestamp: kubeNow(new Date(claims.exp * 1000)) },
  });
}
