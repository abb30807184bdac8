import { kubeCall } from "../kube/kube-call.js";
import type { Kube } from "../kube/kube.js";

/** A right tp uses in the session's namespace, and what goes without it. */
export interface Right {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  /** What needs it. */
  for: string;
  /** Without it no session runs; else only that feature is off. */
  required: boolean;
}

const session = "every session";
const swap = "--swap-deployment";
const newDeployment = "--new-deployment";
const warden = "the crash-safe warden (the cluster undoes a session whose tp died)";
const status = "tp status and tp cleanup";

/** Every call tp makes in a namespace, as RBAC sees it. */
export const rightsTpUses: Right[] = [
  { verb: "create", group: "", resource: "pods", for: `${session} (the proxy pod)`, required: true },
  { verb: "get", group: "", resource: "pods", for: `${session} (the proxy pod)`, required: true },
  { verb: "delete", group: "", resource: "pods", for: `${session} (the proxy pod)`, required: true },
  {
    verb: "create",
    group: "",
    resource: "pods",
    subresource: "portforward",
    for: `${session} (the tunnel)`,
    required: true,
  },
  {
    verb: "create",
    group: "coordination.k8s.io",
    resource: "leases",
    for: `${session} (its record)`,
    required: true,
  },
  {
    verb: "patch",
    group: "coordination.k8s.io",
    resource: "leases",
    for: `${session} (its record)`,
    required: true,
  },
  {
    verb: "delete",
    group: "coordination.k8s.io",
    resource: "leases",
    for: `${session} (its record)`,
    required: true,
  },
  {
    verb: "create",
    group: "",
    resource: "pods",
    subresource: "exec",
    for: "reading the pod's environment when the agent does not answer",
    required: false,
  },
  { verb: "get", group: "apps", resource: "deployments", for: swap, required: false },
  { verb: "patch", group: "apps", resource: "deployments", for: swap, required: false },
  {
    verb: "list",
    group: "autoscaling",
    resource: "horizontalpodautoscalers",
    for: `${swap}'s warning about autoscalers`,
    required: false,
  },
  { verb: "create", group: "apps", resource: "deployments", for: newDeployment, required: false },
  { verb: "delete", group: "apps", resource: "deployments", for: newDeployment, required: false },
  { verb: "create", group: "", resource: "services", for: newDeployment, required: false },
  { verb: "delete", group: "", resource: "services", for: newDeployment, required: false },
  { verb: "create", group: "", resource: "serviceaccounts", for: warden, required: false },
  { verb: "delete", group: "", resource: "serviceaccounts", for: warden, required: false },
  { verb: "create", group: "rbac.authorization.k8s.io", resource: "roles", for: warden, required: false },
  { verb: "delete", group: "rbac.authorization.k8s.io", resource: "roles", for: warden, required: false },
  {
    verb: "create",
    group: "rbac.authorization.k8s.io",
    resource: "rolebindings",
    for: warden,
    required: false,
  },
  {
    verb: "delete",
    group: "rbac.authorization.k8s.io",
    resource: "rolebindings",
    for: warden,
    required: false,
  },
  { verb: "list", group: "", resource: "pods", for: status, required: false },
  { verb: "list", group: "apps", resource: "deployments", for: status, required: false },
  { verb: "list", group: "", resource: "services", for: status, required: false },
  { verb: "list", group: "coordination.k8s.io", resource: "leases", for: status, required: false },
];

/** `verb group/resource/subresource`, as `kubectl auth can-i` names it. */
export function rightName(r: Right): string {
  const res = `${r.resource}${r.subresource ? `/${r.subresource}` : ""}`;
  return `${r.verb} ${r.group ? `${res}.${r.group}` : res}`;
}

/** The rights the current user lacks in a namespace, asked with SelfSubjectAccessReviews. */
export async function missingRights(kube: Kube, namespace: string, rights = rightsTpUses): Promise<Right[]> {
  const answers = await Promise.all(
    rights.map((r) =>
      kubeCall(`can-i ${rightName(r)}`, () =>
        kube.authorization.createSelfSubjectAccessReview({
          body: {
            spec: {
              resourceAttributes: {
                namespace,
                verb: r.verb,
                group: r.group,
                resource: r.resource,
                ...(r.subresource ? { subresource: r.subresource } : {}),
              },
            },
          },
        }),
      ),
    ),
  );
  return rights.filter((_, i) => !answers[i]?.status?.allowed);
}
