import { systemClock, type Clock } from "../clock.js";
import { describeRef } from "../contract/workload-ref.js";
import type { WardenPlan } from "../contract/warden-plan.js";
import { kubeGet } from "./kube-call.js";
import type { Kube } from "./kube.js";
import { waitForPodGone } from "./pods.js";
import { removeIntercept } from "./intercept-undo.js";
import { proxyFirstRecorded, restoreReadyMs, restoreWorkload, waitForWorkloadReady } from "./restore.js";

export type UndoPlan = Pick<
  WardenPlan,
  "sessionId" | "namespace" | "restore" | "deleteDeployments" | "deleteServices" | "deletePods" | "intercept"
> & { lease?: string };

/**
 * Undo a session from its plan, every step idempotent: the swapped workload restored (the proxy
 * goes once its pods are Ready again, or first when a replica's identity must come back to it),
 * the session's pods, Deployments and Services deleted, its intercept removed, then the lease (when the plan names it).
 * Used by the warden, and by the CLI when a session's start was cut short before its cluster end
 * was known. Returns what was done, one line each.
 */
export async function undoPlan(
  kube: Kube,
  plan: UndoPlan,
  log: (t: string) => void = () => undefined,
  clock: Clock = systemClock,
  /** How long the restored workload's pods may take to be Ready before the proxy goes anyway. */
  readyMs: number = restoreReadyMs.warden,
): Promise<string[]> {
  const { namespace } = plan;
  const done: string[] = [];
  /** One step, tried up to 5 times; `fn` returns the line to report, or undefined (nothing to do). */
  const step = async (what: string, fn: () => Promise<string | undefined>): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      try {
        const line = await fn();
        if (line) done.push(line);
        return;
      } catch (err) {
        log(`${what}: ${(err as Error).message}`);
        if (attempt >= 4) throw err;
        await clock.sleep(1_000);
      }
    }
  };
  const deleted = (what: string, call: () => Promise<unknown>) => async () =>
    (await kubeGet(`delete ${what}`, call)) !== undefined ? `${what} deleted` : undefined;
  const deletePods = async () => {
    for (const pod of plan.deletePods)
      await step(
        `delete pod ${pod}`,
        deleted(`pod ${namespace}/${pod}`, () =>
          kube.core.deleteNamespacedPod({ name: pod, namespace, gracePeriodSeconds: 1 }),
        ),
      );
  };
  const planned = plan.restore;
  // A swap may have learnt only while it started that the pods and the proxy cannot overlap.
  const restore = planned && {
    ...planned,
    proxyFirst:
      planned.proxyFirst || (await proxyFirstRecorded(kube, namespace, planned.workload, plan.sessionId)),
  };
  if (restore?.proxyFirst) {
    await deletePods();
    for (const pod of plan.deletePods)
      await step(`wait for pod ${pod} to go`, async () => {
        await waitForPodGone(kube, namespace, pod, 60_000);
        return undefined;
      });
  }
  if (restore) {
    const w = restore.workload;
    await step(`restore ${describeRef(w)}`, async () => {
      const restored = await restoreWorkload(kube, namespace, w, plan.sessionId);
      if (restored?.scaled && !restore.proxyFirst)
        await waitForWorkloadReady(kube, namespace, w, restored.replicas, readyMs);
      return restored?.text;
    });
  }
  if (!restore?.proxyFirst) await deletePods();
  // The session's proxy is gone: its entry goes, and with the last one the router.
  const intercept = plan.intercept;
  if (intercept)
    await step(`remove the intercept of service ${intercept.service}`, async () => {
      const lines = await removeIntercept(kube, namespace, intercept.service, plan.sessionId);
      return lines.length ? lines.join("; ") : undefined;
    });
  for (const d of plan.deleteDeployments)
    await step(
      `delete deployment ${d}`,
      deleted(`deployment ${namespace}/${d}`, () =>
        kube.apps.deleteNamespacedDeployment({ name: d, namespace, propagationPolicy: "Background" }),
      ),
    );
  for (const svc of plan.deleteServices)
    await step(
      `delete service ${svc}`,
      deleted(`service ${namespace}/${svc}`, () =>
        kube.core.deleteNamespacedService({ name: svc, namespace }),
      ),
    );
  const lease = plan.lease;
  if (lease)
    await step(
      `delete lease ${lease}`,
      deleted(`lease ${namespace}/${lease}`, () =>
        kube.coordination.deleteNamespacedLease({ name: lease, namespace }),
      ),
    );
  for (const line of done) log(line);
  return done;
}
