import type { V1OwnerReference, V1PolicyRule, V1Pod } from "@kubernetes/client-node";
import { TpError } from "../errors.js";
import { kubeCall, kubeGet } from "../kube/kube-call.js";
import type { Kube } from "../kube/kube.js";
import { withRestrictedContext } from "./pod-security.js";
import { sessionLabels } from "../contract/cluster-labels.js";
import { wardenName, wardenPlanToEnv, type WardenPlan } from "../contract/warden-plan.js";

/**
 * The warden's process starts this long after its pod: it could not act before the lease's 30 s
 * anyway, and the session's own start then has the node to itself.
 */
const wardenStartDelaySeconds = 5;

export interface StartedWarden {
  /**
   * Create the warden's pod. Its RBAC is made by startWarden; the pod comes when the session's
   * own containers have started, so that it takes no share of the node while they start.
   */
  startPod(): Promise<void>;
  /** Delete the warden's objects (at the normal end of a session). */
  remove(): Promise<string[]>;
}

function wardenPod(plan: WardenPlan, agentImage: string, owner: V1OwnerReference): V1Pod {
  return {
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
          // The process starts after a pause (see wardenStartDelaySeconds), without Node meanwhile.
          command: [
            "/bin/sh",
            "-c",
            'trap "exit 0" TERM; sleep "$0" & wait $! && exec /usr/local/bin/tp-agent warden',
          ],
          args: [String(wardenStartDelaySeconds)],
          env: [wardenPlanToEnv(plan)],
          // Pod Security "restricted"; the image's user or the namespace's assigned UID applies.
          securityContext: withRestrictedContext(undefined),
        },
      ],
    },
  };
}

/**
 * Prepare a session's warden: a small pod with its own ServiceAccount and a Role limited to its
 * plan, which undoes the session if its lease stops being renewed (the CLI was killed, the laptop
 * went to sleep). Returns undefined, after saying why once, where the user may not create RBAC.
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
    for (const del of created.reverse()) await del().catch(() => undefined);
    return created.length ? [`warden ${namespace}/${name} removed`] : [];
  };
  try {
    await kubeCall(`create serviceaccount ${name}`, () =>
      kube.core.createNamespacedServiceAccount({ namespace, body: { metadata } }),
    );
    created.push(() =>
      kubeGet("delete serviceaccount", () => kube.core.deleteNamespacedServiceAccount({ name, namespace })),
    );
    await kubeCall(`create role ${name}`, () =>
      kube.rbac.createNamespacedRole({ namespace, body: { metadata, rules: wardenRules(plan) } }),
    );
    created.push(() => kubeGet("delete role", () => kube.rbac.deleteNamespacedRole({ name, namespace })));
    await kubeCall(`create rolebinding ${name}`, () =>
      kube.rbac.createNamespacedRoleBinding({
        namespace,
        body: {
          metadata,
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
          subjects: [{ kind: "ServiceAccount", name, namespace }],
        },
      }),
    );
    created.push(() =>
      kubeGet("delete rolebinding", () => kube.rbac.deleteNamespacedRoleBinding({ name, namespace })),
    );
    let pod: Promise<void> | undefined;
    const startPod = () =>
      (pod ??= kubeCall(`create pod ${name}`, () =>
        kube.core.createNamespacedPod({ namespace, body: wardenPod(plan, agentImage, owner) }),
      ).then(() => {
        created.push(() =>
          kubeGet("delete pod", () =>
            kube.core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 1 }),
          ),
        );
      }));
    const removeAll = async () => {
      // A pod being created is deleted too.
      await pod?.catch(() => undefined);
      return remove();
    };
    return { startPod, remove: removeAll };
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
  undo: Pick<WardenPlan, "restore" | "deleteDeployments" | "deleteServices" | "deletePods">,
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
  return rules;
}
