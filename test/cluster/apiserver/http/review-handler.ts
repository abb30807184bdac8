import type { IncomingMessage, ServerResponse } from "node:http";
import { isJsonObject, type JsonObject } from "../../shared/kube-object.js";
import type { UserInfo } from "../auth/user-info.js";
import type { ResourceDef } from "../resource-table.js";
import type { ApiContext } from "./api-context.js";
import { readObject } from "./request-body.js";
import { writeJson } from "./respond.js";
import { authenticate } from "../auth/authenticator.js";

/** TokenReview, SelfSubjectReview, SelfSubjectAccessReview and SubjectAccessReview. */
export async function handleReview(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  def: ResourceDef,
  user: UserInfo,
): Promise<void> {
  const body = await readObject(req);
  const review: JsonObject = isJsonObject(body) ? body : {};
  const spec: JsonObject = isJsonObject(review.spec) ? review.spec : {};
  const base = {
    kind: def.kind,
    apiVersion: `${def.group}/${def.version}`,
    metadata: { creationTimestamp: null },
  };
  const userInfo = (u: UserInfo): JsonObject => ({
    username: u.username,
    ...(u.uid ? { uid: u.uid } : {}),
    groups: u.groups,
    ...(u.extra && Object.keys(u.extra).length ? { extra: u.extra } : {}),
  });
  if (def.plural === "selfsubjectreviews")
    return writeJson(res, 201, { ...base, status: { userInfo: userInfo(user) } });
  if (def.plural === "tokenreviews") {
    const fake = { headers: { authorization: `Bearer ${String(spec.token ?? "")}` } } as IncomingMessage;
    const who = ctx.tokens.verify(String(spec.token ?? ""))
      ? authenticate(fake, { admin: "\0", node: "\0" }, ctx.tokens, ctx.store)
      : undefined;
    return writeJson(res, 201, {
      ...base,
      spec,
      status: who
        ? { authenticated: true, user: userInfo(who), audiences: spec.audiences ?? [] }
        : { user: {} },
    });
  }
  let subject = user;
  if (def.plural === "subjectaccessreviews") {
    const groups = Array.isArray(spec.groups) ? spec.groups.map(String) : [];
    subject = {
      username: String(spec.user ?? ""),
      groups,
      privileged: groups.includes("system:masters") || groups.includes("system:nodes"),
    };
  }
  const ra: JsonObject = isJsonObject(spec.resourceAttributes) ? spec.resourceAttributes : {};
  const nra: JsonObject = isJsonObject(spec.nonResourceAttributes) ? spec.nonResourceAttributes : {};
  const resourceRequest = isJsonObject(spec.resourceAttributes);
  const decision = ctx.authorizer.authorize(subject, {
    verb: String((resourceRequest ? ra.verb : nra.verb) ?? ""),
    isResourceRequest: resourceRequest,
    path: String(nra.path ?? ""),
    apiGroup: String(ra.group ?? ""),
    resource: String(ra.resource ?? ""),
    subresource: String(ra.subresource ?? ""),
    name: String(ra.name ?? ""),
    namespace: ra.namespace ? String(ra.namespace) : undefined,
  });
  writeJson(res, 201, {
    ...base,
    spec,
    status: { allowed: decision.allowed, ...(decision.reason ? { reason: decision.reason } : {}) },
  });
}
