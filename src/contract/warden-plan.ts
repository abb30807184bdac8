import type { V1PolicyRule } from "@kubernetes/client-node";

/** What a session's warden undoes when the session's lease stops being renewed. */
export interface WardenPlan {
  sessionId: string;
  namespace: string;
  lease: string;
  /** A swapped Deployment: its replicas go back, tp's annotations go. */
  restoreDeployment?: string;
  deleteDeployments: string[];
  deleteServices: string[];
  deletePods: string[];
  /** The warden's own objects: owned by the lease, so they go when it goes. */
  self: { pod: string; serviceAccount: string; role: string; roleBinding: string };
}

export const wardenPlanEnv = "TP_WARDEN_PLAN";

export function wardenName(sessionId: string): string {
  return `tp-warden-${sessionId}`;
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
    rules.push({ apiGroups: [""], resources: ["pods"], verbs: ["delete"], resourceNames: plan.deletePods });
  }
  if (plan.restoreDeployment) {
    rules.push({
      apiGroups: ["apps"],
      resources: ["deployments"],
      verbs: ["get", "patch"],
      resourceNames: [plan.restoreDeployment],
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

/** Whether a lease whose renewTime last changed at `lastChange` (warden's clock) has expired. */
export function leaseExpired(lastChange: number, durationSeconds: number, now: number): boolean {
  return now - lastChange > durationSeconds * 1000;
}
