import type { IncomingMessage } from "node:http";
import { ApiError } from "../http/api-error.js";
import type { UserInfo } from "./user-info.js";

function headerList(req: IncomingMessage, name: string): string[] {
  const v = req.headers[name];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v])
    .flatMap((x) => x.split(","))
    .map((x) => x.trim())
    .filter(Boolean);
}

/**
 * Impersonate-User / Impersonate-Group (kubectl --as, --as-group). Only the privileged users
 * (admin, node) may impersonate; the impersonated user is then authorized as itself.
 */
export function impersonate(req: IncomingMessage, user: UserInfo): UserInfo {
  const as = headerList(req, "impersonate-user")[0];
  const groups = headerList(req, "impersonate-group");
  if (!as && !groups.length) return user;
  if (!user.privileged)
    throw new ApiError(
      403,
      "Forbidden",
      `users "${as ?? ""}" is forbidden: User "${user.username}" cannot impersonate resource "users" in API group "" at the cluster scope`,
      {
        name: as,
        kind: "users",
      },
    );
  if (!as) throw new ApiError(500, "InternalError", "requested impersonation of groups without a user");
  const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(as);
  const implied = sa ? ["system:serviceaccounts", `system:serviceaccounts:${sa[1]}`] : [];
  const all = [
    ...new Set([...implied, ...groups, ...(as === "system:anonymous" ? [] : ["system:authenticated"])]),
  ];
  return { username: as, groups: all, privileged: all.includes("system:masters") };
}
