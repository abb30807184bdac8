import type { IncomingMessage, ServerResponse } from "node:http";
import {
  aggregatedDiscovery,
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
} from "../discovery/discovery-documents.js";
import { openApiDocument, openApiRoot } from "../discovery/openapi-v3.js";
import type { ApiContext } from "./api-context.js";
import { pathNotFound } from "./api-error.js";
import { wantsAggregatedDiscovery } from "./negotiate.js";
import { writeJson, writeText } from "./respond.js";

/** Paths anyone may read, as the system:public-info-viewer role allows. */
export const publicPaths = ["/healthz", "/livez", "/readyz", "/version", "/version/"];

/** Discovery, OpenAPI, health and version; true when the path was one of them. */
export function handleNonResource(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): boolean {
  const p = url.pathname.replace(/\/$/, "") || "/";
  if (p === "/healthz" || p === "/livez" || p === "/readyz") {
    writeText(res, 200, "ok");
    return true;
  }
  if (p.startsWith("/healthz/") || p.startsWith("/livez/") || p.startsWith("/readyz/")) {
    writeText(res, 200, "ok");
    return true;
  }
  if (p === "/version") {
    writeJson(res, 200, ctx.version);
    return true;
  }
  if (p === "/api" || p === "/apis") {
    const aggregated = wantsAggregatedDiscovery(req);
    if (aggregated) {
      writeJson(
        res,
        200,
        aggregatedDiscovery(p === "/api", aggregated),
        `application/json;g=apidiscovery.k8s.io;v=${aggregated};as=APIGroupDiscoveryList`,
      );
    } else writeJson(res, 200, p === "/api" ? apiVersions() : apiGroupList());
    return true;
  }
  const parts = p.split("/").filter(Boolean);
  if (parts[0] === "api" && parts.length === 2) {
    const list = apiResourceList("", parts[1]!);
    if (!list) throw pathNotFound();
    writeJson(res, 200, list);
    return true;
  }
  if (parts[0] === "apis" && parts.length === 2) {
    const g = apiGroup(parts[1]!);
    if (!g) throw pathNotFound();
    writeJson(res, 200, g);
    return true;
  }
  if (parts[0] === "apis" && parts.length === 3) {
    const list = apiResourceList(parts[1]!, parts[2]!);
    if (!list) throw pathNotFound();
    writeJson(res, 200, list);
    return true;
  }
  if (p === "/openapi/v3") {
    writeJson(res, 200, openApiRoot());
    return true;
  }
  if (parts[0] === "openapi" && parts[1] === "v3") {
    const rest = parts.slice(2);
    const doc =
      rest[0] === "api"
        ? openApiDocument("", rest[1] ?? "")
        : rest[0] === "apis"
          ? openApiDocument(rest[1] ?? "", rest[2] ?? "")
          : undefined;
    if (!doc) throw pathNotFound();
    writeJson(res, 200, doc);
    return true;
  }
  return false;
}
