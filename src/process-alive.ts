import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { hostname } from "node:os";

/** Whether this system has Linux's /proc (else `ps` is asked: macOS, the BSDs). */
const hasProc = existsSync("/proc/self/stat");

/**
 * When a process started, so that a process id used again by another process is not taken for
 * the owner: on Linux clock ticks since boot (/proc/PID/stat field 22), elsewhere the start time
 * `ps` gives (to the second); undefined if the process does not exist.
 */
export function processStartTime(pid: number): string | undefined {
  return processFacts(pid)?.started;
}

/** A process's state letter ("Z" for a zombie) and start time, from /proc or else from `ps`. */
function processFacts(pid: number): { state: string; started: string | undefined } | undefined {
  if (!hasProc) return psFields(pid);
  const stat = procStat(pid);
  return stat && { state: stat[0] ?? "", started: stat[19] };
}

/**
 * A process's state and start time as `ps -o stat= -o lstart=` prints them ("Ss   Sat Dec  5
 * 12:55:15 2026"): POSIX ps on macOS and the BSDs, and procps on Linux, all know both fields.
 */
export function psFields(pid: number): { state: string; started: string } | undefined {
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  let out: string;
  try {
    // Two -o options: BSD ps (macOS) takes all after "=" as the header, "stat=,lstart=" would be
    // one column. lstart is local time: the same zone and locale for every reader of a record.
    out = execFileSync("ps", ["-o", "stat=", "-o", "lstart=", "-p", String(pid)], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      env: { ...process.env, LC_ALL: "C", TZ: "UTC" },
    });
  } catch {
    return undefined; // no such process (ps exits 1), or no ps
  }
  const m = /^\s*(\S+)\s+(.*\S)\s*$/.exec(out);
  return m ? { state: m[1]!.slice(0, 1), started: m[2]!.replace(/\s+/g, " ") } : undefined;
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
  const facts = processFacts(pid);
  // Unreadable in /proc (gone this instant, or hidden): taken as running, as kill(0) said.
  if (!facts) return hasProc;
  if (facts.state === "Z") return false;
  return !started || !facts.started || facts.started === started;
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

/**
 * The processes of this user whose environment (as they were started) has an entry `NAME=…`
 * holding `part`: on Linux, from /proc/PID/environ; elsewhere none are found.
 */
export function processesWithEnv(name: string, part: string): number[] {
  if (!hasProc) return [];
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isSafeInteger(pid) || pid === process.pid) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${pid}/environ`, "latin1");
    } catch {
      continue; // gone, or another user's
    }
    if (environ.split("\0").some((e) => e.startsWith(`${name}=`) && e.includes(part))) found.push(pid);
  }
  return found;
}
