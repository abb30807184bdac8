import type { ReadLease } from "./lease-reader.js";
import { leaseExpired } from "./lease-expired.js";
import { systemClock, type Clock } from "../../clock.js";

/**
 * The warden's loop (tp-agent warden, in the cluster): watch the session's lease; when its
 * renewTime has not moved for the lease's duration (measured on this clock, so clock skew with
 * the CLI's machine does not matter) or the lease is gone, undo the session.
 */
export async function runWarden(
  readLease: ReadLease,
  undo: () => Promise<void>,
  log: (t: string) => void,
  pollMs = 2_000,
  clock: Clock = systemClock,
): Promise<void> {
  let lastRenew: string | undefined;
  let lastChange = clock.now();
  for (;;) {
    let lease;
    try {
      lease = await readLease();
    } catch (err) {
      log(`cannot read the lease: ${(err as Error).message}`);
      await clock.sleep(pollMs);
      continue;
    }
    if (!lease) {
      log("the lease is gone");
      break;
    }
    const renew = String(lease.renewTime ?? "");
    if (renew !== lastRenew) {
      lastRenew = renew;
      lastChange = clock.now();
    }
    if (leaseExpired(lastChange, lease.leaseDurationSeconds ?? 30, clock.now())) {
      log(`the lease was not renewed for ${lease.leaseDurationSeconds ?? 30} s`);
      break;
    }
    await clock.sleep(pollMs);
  }
  await undo().catch((err: unknown) => log(`undo failed: ${(err as Error).message}`));
}
