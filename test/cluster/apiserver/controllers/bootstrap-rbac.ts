import type { KubeObject } from "../../shared/kube-object.js";

const bootstrapLabels = { "kubernetes.io/bootstrapping": "rbac-defaults" };
const readVerbs = ["get", "list", "watch"];
const writeVerbs = ["create", "delete", "deletecollection", "patch", "update"];

function clusterRole(
  name: string,
  rules: Record<string, unknown>[],
  extra: Record<string, unknown> = {},
): KubeObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: {
      name,
      labels: bootstrapLabels,
      annotations: { "rbac.authorization.kubernetes.io/autoupdate": "true" },
    },
    rules,
    ...extra,
  };
}

function binding(name: string, role: string, subjects: Record<string, string>[]): KubeObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: {
      name,
      labels: bootstrapLabels,
      annotations: { "rbac.authorization.kubernetes.io/autoupdate": "true" },
    },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
    subjects: subjects.map((s) => ({ apiGroup: "rbac.authorization.k8s.io", ...s })),
  };
}

const workloadResources = [
  {
    apiGroups: [""],
    resources: [
      "pods",
      "pods/attach",
      "pods/exec",
      "pods/portforward",
      "pods/proxy",
      "pods/log",
      "pods/status",
      "services",
      "endpoints",
      "configmaps",
      "secrets",
      "serviceaccounts",
      "events",
      "persistentvolumeclaims",
    ],
  },
  {
    apiGroups: ["apps"],
    resources: [
      "deployments",
      "deployments/scale",
      "deployments/status",
      "replicasets",
      "replicasets/scale",
      "replicasets/status",
      "statefulsets",
      "daemonsets",
    ],
  },
  { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"] },
  { apiGroups: ["networking.k8s.io"], resources: ["ingresses", "networkpolicies"] },
  { apiGroups: ["policy"], resources: ["poddisruptionbudgets"] },
  { apiGroups: ["coordination.k8s.io"], resources: ["leases"] },
  { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"] },
];

/** What admin, edit and view may only read (the view role's rules the others aggregate). */
const readOnlyResources = [
  {
    apiGroups: [""],
    resources: ["limitranges", "resourcequotas", "resourcequotas/status"],
    verbs: readVerbs,
  },
  { apiGroups: ["networking.k8s.io"], resources: ["ingresses/status"], verbs: readVerbs },
  { apiGroups: ["policy"], resources: ["poddisruptionbudgets/status"], verbs: readVerbs },
];

/** The default roles a real cluster bootstraps (a subset of plugin/pkg/auth/authorizer/rbac/bootstrappolicy). */
export function bootstrapRbac(): { clusterRoles: KubeObject[]; bindings: KubeObject[] } {
  const clusterRoles = [
    clusterRole("cluster-admin", [
      { apiGroups: ["*"], resources: ["*"], verbs: ["*"] },
      { nonResourceURLs: ["*"], verbs: ["*"] },
    ]),
    clusterRole("admin", [
      ...workloadResources.map((r) => ({ ...r, verbs: [...readVerbs, ...writeVerbs] })),
      ...readOnlyResources,
      {
        apiGroups: ["rbac.authorization.k8s.io"],
        resources: ["roles", "rolebindings"],
        verbs: [...readVerbs, ...writeVerbs],
      },
      { apiGroups: [""], resources: ["serviceaccounts/token", "pods/eviction"], verbs: ["create"] },
    ]),
    clusterRole("edit", [
      ...workloadResources.map((r) => ({ ...r, verbs: [...readVerbs, ...writeVerbs] })),
      ...readOnlyResources,
      { apiGroups: [""], resources: ["serviceaccounts/token", "pods/eviction"], verbs: ["create"] },
    ]),
    clusterRole("view", [
      ...workloadResources.map((r) => ({
        ...r,
        resources: r.resources.filter((x) => x !== "secrets" && !/exec|attach|portforward|proxy/.test(x)),
        verbs: readVerbs,
      })),
      ...readOnlyResources,
    ]),
    clusterRole("system:discovery", [
      {
        nonResourceURLs: [
          "/api",
          "/api/*",
          "/apis",
          "/apis/*",
          "/healthz",
          "/livez",
          "/openapi",
          "/openapi/*",
          "/readyz",
          "/version",
          "/version/",
        ],
        verbs: ["get"],
      },
    ]),
    clusterRole("system:public-info-viewer", [
      { nonResourceURLs: ["/healthz", "/livez", "/readyz", "/version", "/version/"], verbs: ["get"] },
    ]),
    clusterRole("system:basic-user", [
      {
        apiGroups: ["authorization.k8s.io"],
        resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
        verbs: ["create"],
      },
      { apiGroups: ["authentication.k8s.io"], resources: ["selfsubjectreviews"], verbs: ["create"] },
    ]),
  ];
  const bindings = [
    binding("cluster-admin", "cluster-admin", [{ kind: "Group", name: "system:masters" }]),
    binding("system:discovery", "system:discovery", [{ kind: "Group", name: "system:authenticated" }]),
    binding("system:basic-user", "system:basic-user", [{ kind: "Group", name: "system:authenticated" }]),
    binding("system:public-info-viewer", "system:public-info-viewer", [
      { kind: "Group", name: "system:authenticated" },
      { kind: "Group", name: "system:unauthenticated" },
    ]),
  ];
  return { clusterRoles, bindings };
}
