import type { IncomingMessage } from "node:http";
import { timingSafeEqual } from "node:crypto";
import type { ObjectStore } from "../store/object-store.js";
import type { ServiceAccountTokens } from "./service-account-tokens.js";
import { anonymous, type UserInfo } from "./user-info.js";

export interface StaticTokens {
  admin: string;
  node: string;
  /** A user with no rights of its own (tests bind it to namespaced Roles): "tp-limited". */
  limited?: string;
}

export const limitedUser = "tp-limited";

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function bearerToken(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (h?.startsWith("Bearer ")) return h.slice(7).trim();
  // WebSocket clients in browsers carry the token in a subprotocol.
  const proto = req.headers["sec-websocket-protocol"];
  const m = /base64url\.bearer\.authorization\.k8s\.io\.([A-Za-z0-9_-]+)/.exec(String(proto ?? ""));
  return m ? Buffer.from(m[1]!, "base64url").toString() : undefined;
}

/**
 * Bearer tokens: the static admin and node tokens, and service account tokens whose account
 * still exists with the same uid. No token: anonymous. A bad token: undefined (401).
 */
export function authenticate(
  req: IncomingMessage,
  tokens: StaticTokens,
  sa: ServiceAccountTokens,
  store: ObjectStore,
): UserInfo | undefined {
  const token = bearerToken(req);
  if (token === undefined) return anonymous;
  if (same(token, tokens.admin))
    return {
      username: "kubernetes-admin",
      groups: ["system:masters", "system:authenticated"],
      privileged: true,
    };
  if (same(token, tokens.node))
    return {
      username: "system:node:tp-test-node",
      groups: ["system:nodes", "system:authenticated"],
      privileged: true,
    };
  if (tokens.limited && same(token, tokens.limited))
    return { username: limitedUser, groups: ["system:authenticated"], privileged: false };
  const claims = sa.verify(token);
  if (!claims) return undefined;
  const k = claims["kubernetes.io"];
  const account = store.get("/serviceaccounts", k.namespace, k.serviceaccount.name);
  if (!account || account.metadata.uid !== k.serviceaccount.uid) return undefined;
  if (k.pod) {
    const pod = store.get("/pods", k.namespace, k.pod.name);
    if (!pod || pod.metadata.uid !== k.pod.uid) return undefined;
  }
  const extra: Record<string, string[]> = {};
  if (k.pod) {
    extra["authentication.kubernetes.io/pod-name"] = [k.pod.name];
    extra["authentication.kubernetes.io/pod-uid"] = [k.pod.uid];
  }
  return {
    username: claims.sub,
    uid: k.serviceaccount.uid,
    groups: ["system:serviceaccounts", `system:serviceaccounts:${k.namespace}`, "system:authenticated"],
    privileged: false,
    extra,
  };
}
