import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { authenticate, type StaticTokens } from "../auth/authenticator.js";
import { impersonate } from "../auth/impersonation.js";
import { forbiddenMessage, type Attributes } from "../auth/rbac-authorizer.js";
import type { UserInfo } from "../auth/user-info.js";
import type { ApiContext } from "./api-context.js";
import { ApiError, forbidden, internalError, pathNotFound, unauthorized } from "./api-error.js";
import { proxyUpgrade, writeUpgradeError } from "./kubelet-proxy.js";
import { spdyTunnelProtocol, tunnelSpdyOverWebSocket } from "./stream-tunnel.js";
import { handleNonResource, publicPaths } from "./non-resource.js";
import { kubeletPath } from "./pod-subresources.js";
import { requestInfo, type RequestInfo } from "./request-info.js";
import { handleResource } from "./resource-handler.js";
import { writeError } from "./respond.js";

export interface ServerOptions {
  key: string;
  cert: string;
  tokens: StaticTokens;
  log?: (line: string) => void;
}

function attributes(info: RequestInfo): Attributes {
  return {
    verb: info.verb,
    isResourceRequest: info.isResourceRequest,
    path: info.path,
    apiGroup: info.group,
    resource: info.resource,
    subresource: info.subresource,
    name: info.name,
    namespace: info.resource === "namespaces" ? info.name || undefined : info.namespace,
  };
}

/** Authentication, then RBAC; returns the user or throws the 401/403 Status. */
function admit(ctx: ApiContext, tokens: StaticTokens, req: IncomingMessage, info: RequestInfo): UserInfo {
  const authenticated = authenticate(req, tokens, ctx.tokens, ctx.store);
  if (!authenticated) throw unauthorized();
  const user = impersonate(req, authenticated);
  const attrs = attributes(info);
  if (user.username === "system:anonymous" && !publicPaths.includes(info.path)) {
    if (!ctx.authorizer.authorize(user, attrs).allowed) throw unauthorized();
  }
  if (!ctx.authorizer.authorize(user, attrs).allowed) {
    const why = forbiddenMessage(user, attrs);
    if (!info.isResourceRequest) throw new ApiError(403, "Forbidden", why, {});
    throw forbidden({ group: info.group, resource: info.resource }, info.name, why);
  }
  return user;
}

export function createApiServer(ctx: ApiContext, opts: ServerOptions): Server {
  const log = opts.log ?? (() => undefined);
  const server = createServer(
    { key: opts.key, cert: opts.cert },
    (req: IncomingMessage, res: ServerResponse) => {
      const started = Date.now();
      res.on("finish", () => log(`${req.method} ${req.url} ${res.statusCode} ${Date.now() - started}ms`));
      void (async () => {
        try {
          const url = new URL(req.url ?? "/", "https://localhost");
          const info = requestInfo(req.method ?? "GET", url);
          if (publicPaths.includes(url.pathname) && handleNonResource(ctx, req, res, url)) return;
          const user = admit(ctx, opts.tokens, req, info);
          if (!info.isResourceRequest) {
            if (!handleNonResource(ctx, req, res, url)) throw pathNotFound();
            return;
          }
          await handleResource(ctx, req, res, info, url, user);
        } catch (err) {
          writeError(res, err);
        }
      })();
    },
  );
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    log(`${req.method} ${req.url} upgrade`);
    socket.on("error", () => socket.destroy());
    try {
      const url = new URL(req.url ?? "/", "https://localhost");
      const info = requestInfo(req.method ?? "GET", url);
      // exec/attach/portforward are authorized as "create" (the verb a POST would be) as in a real cluster.
      const authInfo = { ...info, verb: "create" };
      admit(ctx, opts.tokens, req, authInfo);
      if (!(
        info.isResourceRequest &&
        info.resource === "pods" &&
        ["exec", "attach", "portforward"].includes(info.subresource)
      ))
        throw pathNotFound();
      const { path } = kubeletPath(ctx, info, url);
      const tunnel = info.subresource === "portforward" ? spdyTunnelProtocol(req) : undefined;
      if (tunnel) tunnelSpdyOverWebSocket(ctx.kubelet, path, tunnel, req, socket, head);
      else proxyUpgrade(ctx.kubelet, path, req, socket, head);
    } catch (err) {
      writeUpgradeError(socket, err instanceof ApiError ? err : internalError(err));
    }
  });
  return server;
}
