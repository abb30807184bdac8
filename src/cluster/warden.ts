import type { V1OwnerReference, V1PolicyRule, V1Pod, V1ResourceRequirements } from "@kubernetes/client-node";
import { agentResourcesIn, withAgentResources } from "./agent-resources.js";
import { TpError } from "../errors.js";
import { kubeCreate, kubeGet, madeBySession } from "../kube/kube-call.js";
import type { Kube } from "../kube/kube.js";
import { withRestrictedContext } from "./pod-security.js";
import { sessionLabels } from "../contract/cluster-labels.js";
import { routerPodName, shadowServiceName } from "../contract/intercept-record.js";
import { wardenName, wardenPlanToEnv, type WardenPlan } from "../contract/warden-plan.js";

export interface StartedWarden {
  /** Delete the warden's objects (at the normal end of a session). */
  remove(): Promise<string[]>;
}

function wardenPod(
  plan: WardenPlan,
  agentImage: string,
  owner: V1OwnerReference,
  resources: V1ResourceRequirements | undefined,
): V1Pod {
  const pod: V1Pod = {
    metadata: {
      name: plan.self.pod,
      labels: sessionLabels(plan.sessionId, "warden"),
      ownerReferences: [owner],
    },
    spec: {
      serviceAccountName: plan.self.serviceAccount,
      restartPolicy: "OnFailure",
      containers: [
        {
          name: "warden",
          image: agentImage,
          imagePullPolicy: "IfNotPresent",
          args: ["warden"],
          env: [wardenPlanToEnv(plan)],
          // Pod Security "restricted"; the image's user or the namespace's assigned UID applies.
          securityContext: withRestrictedContext(undefined),
        },
      ],
    },
  };
  withAgentResources(pod.spec, resources);
  return pod;
}

/**
 * Start a session's warden before the session changes anything in the cluster: a small pod with
 * its own ServiceAccount and a Role limited to its plan, which undoes the session if its lease
 * stops being renewed (the CLI was killed, the laptop went to sleep). Its objects are owned by the
 * lease. Returns undefined, after saying why once, where the user may not create RBAC.
 */
export async function startWarden(
  kube: Kube,
  plan: WardenPlan,
  agentImage: string,
  lease: { name: string; uid: string },
  warn: (text: string) => void,
): Promise<StartedWarden | undefined> {
  const namespace = plan.namespace;
  const owner: V1OwnerReference = {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    name: lease.name,
    uid: lease.uid,
  };
  const labels = sessionLabels(plan.sessionId, "warden");
  const metadata = { name: plan.self.pod, labels, ownerReferences: [owner] };
  const name = wardenName(plan.sessionId);
  const created: (() => Promise<unknown>)[] = [];
  const remove = async (): Promise<string[]> => {
    const all = created.splice(0).reverse();
    for (const del of all) await del().catch(() => undefined);
    return all.length ? [`warden ${namespace}/${name} removed`] : [];
  };
  /** Create one object; its removal is recorded once it exists. */
  const make = async (
    what: string,
    create: () => Promise<object>,
    read: () => Promise<{ metadata?: { labels?: Record<string, string> } }>,
    del: () => Promise<unknown>,
  ) => {
    await kubeCreate(`create ${what} ${name}`, create, () => madeBySession(read, plan.sessionId));
    created.push(() => kubeGet(`delete ${what}`, del));
  };
  try {
    // The pod needs its ServiceAccount to exist; the Role and its binding may come in any order.
    const rbac = await Promise.allSettled([
      make(
        "serviceaccount",
        () => kube.core.createNamespacedServiceAccount({ namespace, body: { metadata } }),
        () => kube.core.readNamespacedServiceAccount({ name, namespace }),
        () => kube.core.deleteNamespacedServiceAccount({ name, namespace }),
      ),
      make(
        "role",
        () => kube.rbac.createNamespacedRole({ namespace, body: { metadata, rules: wardenRules(plan) } }),
        () => kube.rbac.readNamespacedRole({ name, namespace }),
        () => kube.rbac.deleteNamespacedRole({ name, namespace }),
      ),
      make(
        "rolebinding",
        () =>
          kube.rbac.createNamespacedRoleBinding({
            namespace,
            body: {
              metadata,
              roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
              subjects: [{ kind: "ServiceAccount", name, namespace }],
            },
          }),
        () => kube.rbac.readNamespacedRoleBinding({ name, namespace }),
        () => kube.rbac.deleteNamespacedRoleBinding({ name, namespace }),
      ),
    ]);
    const failed = rbac.find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
    await make(
      "pod",
      async () =>
        kube.core.createNamespacedPod({
          namespace,
          body: wardenPod(plan, agentImage, owner, await agentResourcesIn(kube, namespace)),
        }),
      () => kube.core.readNamespacedPod({ name, namespace }),
      () => kube.core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 1 }),
    );
    return { remove };
  } catch (err) {
    await remove();
    if (err instanceof TpError && /forbidden|cannot/i.test(err.message) && err.code === "cluster-error") {
      warn(
        `the crash-safe warden is off (${err.message}): if tp is killed or loses the cluster, ` +
          `nothing in the cluster undoes this session; \`tp cleanup\` does`,
      );
      return undefined;
    }
    throw err;
  }
}

export function wardenPlanFor(
  sessionId: string,
  namespace: string,
  lease: string,
  undo: Pick<WardenPlan, "restore" | "deleteDeployments" | "deleteServices" | "deletePods" | "intercept">,
): WardenPlan {
  const name = wardenName(sessionId);
  return {
    sessionId,
    namespace,
    lease,
    ...undo,
    self: { pod: name, serviceAccount: name, role: name, roleBinding: name },
  };
}
/** The Role of a warden: exactly the verbs on exactly the objects of its plan. */
export function wardenRules(plan: WardenPlan): V1PolicyRule[] {
  const rules: V1PolicyRule[] = [
    {
      apiGroups: ["coordination.k8s.io"],
      resources: ["leases"],
      verbs: ["get", "delete"],
      resourceNames: [plan.lease],
    },
  ];
  if (plan.deletePods.length) {
    // get: a restore that needs the proxy gone first waits for it.
    rules.push({
      apiGroups: [""],
      resources: ["pods"],
      verbs: ["get", "delete"],
      resourceNames: plan.deletePods,
    });
  }
  if (plan.restore) {
    const w = plan.restore.workload;
    rules.push({
      apiGroups: [w.group],
      resources: [w.resource, `${w.resource}/scale`],
      verbs: ["get", "patch"],
      resourceNames: [w.name],
    });
  }
  if (plan.deleteDeployments.length) {
    rules.push({
      apiGroups: ["apps"],
      resources: ["deployments"],
      verbs: ["delete"],
      resourceNames: plan.deleteDeployments,
    });
  }
  if (plan.deleteServices.length) {
    rules.push({
      apiGroups: [""],
      resources: ["services"],
      verbs: ["delete"],
      resourceNames: plan.deleteServices,
    });
  }
  if (plan.intercept) {
    const svc = plan.intercept.service;
    // Its entry goes (read-modify-write), and with the last one the selector comes back.
    rules.push(
      { apiGroups: [""], resources: ["services"], verbs: ["get", "patch"], resourceNames: [svc] },
      {
        apiGroups: [""],
        resources: ["services"],
        verbs: ["delete"],
        resourceNames: [shadowServiceName(svc)],
      },
      { apiGroups: [""], resources: ["pods"], verbs: ["delete"], resourceNames: [routerPodName(svc)] },
    );
  }
  return rules;
}
