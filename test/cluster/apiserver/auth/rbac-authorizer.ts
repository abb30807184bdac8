import { isJsonObject, type JsonObject, type KubeObject } from "../../shared/kube-object.js";
import type { ObjectStore } from "../store/object-store.js";
import type { UserInfo } from "./user-info.js";

export interface Attributes {
  verb: string;
  isResourceRequest: boolean;
  path: string;
  apiGroup: string;
  resource: string;
  subresource: string;
  name: string;
  namespace?: string;
}

export interface Decision {
  allowed: boolean;
  reason: string;
}

interface PolicyRule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

const has = (list: string[] | undefined, v: string): boolean =>
  !!list && (list.includes("*") || list.includes(v));

function ruleAllows(rule: PolicyRule, a: Attributes): boolean {
  if (!has(rule.verbs, a.verb)) return false;
  if (!a.isResourceRequest) {
    return (rule.nonResourceURLs ?? []).some(
      (u) => u === "*" || u === a.path || (u.endsWith("*") && a.path.startsWith(u.slice(0, -1))),
    );
  }
  if (!has(rule.apiGroups, a.apiGroup)) return false;
  const full = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const resources = rule.resources ?? [];
  const resourceOk =
    resources.includes("*") ||
    resources.includes(full) ||
    (a.subresource !== "" && resources.includes(`*/${a.subresource}`)) ||
    (a.subresource === "" && false);
  if (!resourceOk) return false;
  if (rule.resourceNames?.length) return rule.resourceNames.includes(a.name);
  return true;
}

function subjectMatches(subjects: unknown, user: UserInfo, bindingNs: string | undefined): boolean {
  if (!Array.isArray(subjects)) return false;
  return subjects.filter(isJsonObject).some((s) => {
    if (s.kind === "User") return s.name === user.username;
    if (s.kind === "Group") return user.groups.includes(String(s.name));
    if (s.kind === "ServiceAccount")
      return user.username === `system:serviceaccount:${String(s.namespace ?? bindingNs)}:${String(s.name)}`;
    return false;
  });
}

/** RBAC (rbac.authorization.k8s.io/v1) over the roles and bindings in the store. */
export class Authorizer {
  constructor(private readonly store: ObjectStore) {}

  private rulesOf(ref: JsonObject, ns: string | undefined): PolicyRule[] {
    let role: KubeObject | undefined;
    if (ref.kind === "ClusterRole")
      role = this.store.get("rbac.authorization.k8s.io/clusterroles", undefined, String(ref.name));
    else if (ref.kind === "Role" && ns)
      role = this.store.get("rbac.authorization.k8s.io/roles", ns, String(ref.name));
    if (!role) return [];
    let rules = Array.isArray(role.rules) ? (role.rules as PolicyRule[]) : [];
    const agg = isJsonObject(role.aggregationRule) ? role.aggregationRule : undefined;
    if (agg && Array.isArray(agg.clusterRoleSelectors)) {
      for (const cr of this.store.list("rbac.authorization.k8s.io/clusterroles")) {
        const labels = cr.metadata.labels ?? {};
        const selected = agg.clusterRoleSelectors
          .filter(isJsonObject)
          .some((sel) =>
            Object.entries(isJsonObject(sel.matchLabels) ? sel.matchLabels : {}).every(
              ([k, v]) => labels[k] === v,
            ),
          );
        if (selected && Array.isArray(cr.rules)) rules = [...rules, ...(cr.rules as PolicyRule[])];
      }
    }
    return rules;
  }

  authorize(user: UserInfo, a: Attributes): Decision {
    if (user.privileged) return { allowed: true, reason: "" };
    for (const b of this.store.list("rbac.authorization.k8s.io/clusterrolebindings")) {
      if (!subjectMatches(b.subjects, user, undefined)) continue;
      const ref = isJsonObject(b.roleRef) ? b.roleRef : {};
      if (this.rulesOf(ref, undefined).some((r) => ruleAllows(r, a)))
        return { allowed: true, reason: `RBAC: allowed by ClusterRoleBinding "${b.metadata.name}"` };
    }
    if (a.namespace) {
      for (const b of this.store.list("rbac.authorization.k8s.io/rolebindings", a.namespace)) {
        if (!subjectMatches(b.subjects, user, a.namespace)) continue;
        const ref = isJsonObject(b.roleRef) ? b.roleRef : {};
        if (this.rulesOf(ref, a.namespace).some((r) => ruleAllows(r, a)))
          return {
            allowed: true,
            reason: `RBAC: allowed by RoleBinding "${b.metadata.name}/${a.namespace}"`,
          };
      }
    }
    return { allowed: false, reason: "" };
  }
}

/** The message a real server's RBAC denial carries. */
export function forbiddenMessage(user: UserInfo, a: Attributes): string {
  if (!a.isResourceRequest) return `forbidden: User "${user.username}" cannot ${a.verb} path "${a.path}"`;
  const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : "at the cluster scope";
  return `User "${user.username}" cannot ${a.verb} resource "${res}" in API group "${a.apiGroup}" ${scope}`;
}
