import { kubeGet } from "../../kube/kube-call.js";
import type { Kube } from "../../kube/kube.js";
import { undoPlan } from "../../kube/undo-plan.js";
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
  // Last: the lease. The warden's pod, ServiceAccount, Role and RoleBinding are owned by it, so
  // the garbage collector removes them (and this process) once it is gone.
  await undoPlan(kube, plan, log, clock).catch((err: unknown) =>
    log(`undo failed: ${(err as Error).message}`),
  );
}
