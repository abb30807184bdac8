import { readFileSync } from "node:fs";
import { hostname } from "node:os";

/**
 * When a process started (Linux: clock ticks since boot, /proc/PID/stat field 22), so that a
 * process id used again by another process is not taken for the owner; undefined elsewhere.
 */
export function processStartTime(pid: number): string | undefined {
  return procStat(pid)?.[19];
}

/** The process's state letter (Linux: "Z" for a zombie), undefined elsewhere. */
function processState(pid: number): string | undefined {
  return procStat(pid)?.[0];
}

/** Fields 3 and on of /proc/PID/stat (field 2, the command name, may hold spaces). */
function procStat(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/**
 * Whether process `pid` still runs on this host: not a zombie, and, given the start time recorded
 * with the id ({@link processStartTime}), not another process that got the same id later.
 */
export function processAlive(pid: number, started?: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  if (processState(pid) === "Z") return false;
  const now = started ? processStartTime(pid) : undefined;
  return !now || now === started;
}

/** Who runs this code: the host, process id and start time that a record of an owner holds. */
export function currentOwner(): { host: string; pid: number; started?: string } {
  const started = processStartTime(process.pid);
  return { host: hostname(), pid: process.pid, ...(started ? { started } : {}) };
}

/** Whether a recorded owner still runs; one of another host is taken as running (not ours to judge). */
export function ownerAlive(owner: { host?: string; pid: number; started?: string }): boolean {
  return owner.host !== hostname() || processAlive(owner.pid, owner.started);
}
