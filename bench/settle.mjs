// Between measured runs: wait until the machine is quiet again (what the previous run set off,
// such as a restored Deployment's pods starting, has finished), so that each measurement starts
// from the same state. Linux: CPU use from /proc/stat; elsewhere a fixed pause.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { machineTicks } from "./proc-stats.mjs";

/** Wait until one 500 ms window uses under `share` of the CPUs (at most `maxMs`); flush writes first. */
export async function settle({ share = 0.1, maxMs = 15_000 } = {}) {
  if (!existsSync("/proc/stat")) return new Promise((r) => setTimeout(r, 3_000));
  execFileSync("sync");
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline) {
    const [b0, t0] = machineTicks();
    await new Promise((r) => setTimeout(r, 500));
    const [b1, t1] = machineTicks();
    if (t1 > t0 && (b1 - b0) / (t1 - t0) < share) return;
  }
}
