import { kubeGet } from "../../kube/kube-call.js";
import { waitForPodGone } from "../../kube/pods.js";
import type { Kube } from "../../kube/kube.js";
import { restoreWorkload } from "../../kube/restore.js";
import { describeRef } from "../../contract/workload-ref.js";
import type { WardenPlan } from "../../contract/warden-plan.js";
import { leaseExpired } from "./lease-expired.js";
import { systemClock, type Clock } from "../../clock.js";

/**
 * The warden's loop (tp-agent warden, in the cluster): watch the session's lease; when its
 * renewTime has not moved for the lease's duration (measured on this clock, so clock skew with
 * the CLI's machine does not matter) or the lease is gone, undo the session and delete itself.
 */
export async function runWarden(
  kube: Kube,
  plan: WardenPlan,
  log: (t: string) => void,
  pollMs = 2_000,
  clock: Clock = systemClock,
): Promise<void> {
  const { namespace } = plan;
  let lastRenew: string | undefined;
  let lastChange = clock.now();
  for (;;) {
    let lease;
    try {
      lease = await kubeGet("read lease", () =>
        kube.coordination.readNamespacedLease({ name: plan.lease, namespace }),
      );
    } catch (err) {
      log(`cannot read lease ${plan.lease}: ${(err as Error).message}`);
      await clock.sleep(pollMs);
      continue;
    }
    if (!lease) {
      log(`lease ${plan.lease} is gone`);
      break;
    }
    const renew = String(lease.spec?.renewTime ?? "");
    if (renew !== lastRenew) {
      lastRenew = renew;
      lastChange = clock.now();
    }
    if (leaseExpired(lastChange, lease.spec?.leaseDurationSeconds ?? 30, clock.now())) {
      log(`lease ${plan.lease} was not renewed for ${lease.spec?.leaseDurationSeconds ?? 30} s`);
      break;
    }
    await clock.sleep(pollMs);
  }
  await undoPlan(kube, plan, log, clock);
}

/** Undo a session from its plan, then remove the warden itself. Every step is idempotent. */
export async function undoPlan(
  kube: Kube,
  plan: WardenPlan,
  log: (t: string) => void,
  clock: Clock = systemClock,
): Promise<void> {
  const { namespace } = plan;
  const step = async (what: string, fn: () => Promise<unknown>) => {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const r = await fn();
        if (r !== undefined && r !== false) log(what);
        return;
      } catch (err) {
        log(`${what} failed: ${(err as Error).message}`);
        await clock.sleep(1_000);
      }
    }
  };
  const deletePods = async () => {
    for (const name of plan.deletePods) {
      await step(`pod ${name} deleted`, () =>
        kubeGet("delete pod", () =>
          kube.core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 1 }),
        ),
      );
    }
  };
  const restore = plan.restore;
  if (restore?.proxyFirst) {
    await deletePods();
    for (const name of plan.deletePods)
      await step(`pod ${name} gone`, () => waitForPodGone(kube, namespace, name, 60_000));
  }
  if (restore) {
    const w = restore.workload;
    await step(`${describeRef(w)} restored`, () => restoreWorkload(kube, namespace, w, plan.sessionId));
  }
  if (!restore?.proxyFirst) await deletePods();
  for (const name of plan.deleteDeployments) {
    await step(`deployment ${name} deleted`, () =>
      kubeGet("delete deployment", () =>
        kube.apps.deleteNamespacedDeployment({ name, namespace, propagationPolicy: "Background" }),
      ),
    );
  }
  for (const name of plan.deleteServices) {
    await step(`service ${name} deleted`, () =>
      kubeGet("delete service", () => kube.core.deleteNamespacedService({ name, namespace })),
    );
  }
  // Last: the lease. The warden's pod, ServiceAccount, Role and RoleBinding are owned by it, so
  // the garbage collector removes them (and this process) once it is gone.
  await step(`lease ${plan.lease} deleted`, () =>
    kubeGet("delete lease", () => kube.coordination.deleteNamespacedLease({ name: plan.lease, namespace })),
  );
}
