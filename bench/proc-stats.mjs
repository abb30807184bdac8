// Process figures read from /proc (Linux): CPU seconds, peak RSS (resettable), descendants.
import { readFileSync, readdirSync, writeFileSync } from "node:fs";

const read = (path) => {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
};

/**
 * The machine's CPU time so far, all CPUs and processes (those that have ended included), in
 * clock ticks from /proc/stat: [busy, total]. Ticks are 1/100 s (USER_HZ) on Linux.
 */
export function machineTicks() {
  const f = read("/proc/stat").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + (f[4] ?? 0);
  const total = f.reduce((a, b) => a + b, 0);
  return [total - idle, total];
}

/** `pid` and every process below it. */
export function withDescendants(pid) {
  const parents = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = read(`/proc/${entry}/stat`);
    if (!stat) continue;
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    parents.set(Number(entry), ppid);
  }
  const all = [pid];
  for (let i = 0; i < all.length; i++)
    for (const [child, parent] of parents) if (parent === all[i]) all.push(child);
  return all;
}

/** User + system CPU seconds of these processes (clock ticks of 1/100 s). */
export function cpuSeconds(pids) {
  let ticks = 0;
  for (const pid of pids) {
    const stat = read(`/proc/${pid}/stat`);
    if (!stat) continue;
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    ticks += Number(f[11]) + Number(f[12]);
  }
  return ticks / 100;
}

/** Start counting peak RSS afresh (echo 5 > clear_refs). */
export function resetPeakRss(pids) {
  for (const pid of pids) {
    try {
      writeFileSync(`/proc/${pid}/clear_refs`, "5");
    } catch {
      // Gone, or not ours to reset: its peak then covers its whole life.
    }
  }
}

/** Sum of the processes' peak RSS (VmHWM), in MB. */
export function peakRssMB(pids) {
  let kb = 0;
  for (const pid of pids) {
    const m = /VmHWM:\s+(\d+)/.exec(read(`/proc/${pid}/status`) ?? "");
    if (m) kb += Number(m[1]);
  }
  return Math.round(kb / 1024);
}

/** What a process is, for a CPU breakdown: its command, and for Node the script (and role) it runs. */
function processLabel(pid) {
  const argv = (read(`/proc/${pid}/cmdline`) ?? "").split("\0").filter(Boolean);
  const base = (s) => (s ?? "").replace(/.*\//, "");
  const exe = base(argv[0]);
  if (exe !== "node") return exe || "?";
  if (argv.includes("-e")) return "node -e";
  const script = argv.slice(1).find((a) => !a.startsWith("-"));
  const role = script?.endsWith("tp-agent-launch.cjs") ? ` ${argv[argv.indexOf(script) + 1] ?? ""}` : "";
  return `node ${base(script)}${role}`;
}

/** CPU ticks of every process on the machine, by pid (with its label). */
export function allProcessTicks() {
  const out = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = read(`/proc/${entry}/stat`);
    if (!stat) continue;
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    out.set(entry, { ticks: Number(f[11]) + Number(f[12]), label: processLabel(entry) });
  }
  return out;
}

/** CPU seconds each kind of process used between two allProcessTicks snapshots, largest first. */
export function cpuBreakdown(before, after) {
  const by = new Map();
  for (const [pid, a] of after) {
    const used = (a.ticks - (before.get(pid)?.ticks ?? 0)) / 100;
    if (used > 0) by.set(a.label, (by.get(a.label) ?? 0) + used);
  }
  return [...by].sort((x, y) => y[1] - x[1]).map(([label, s]) => ({ label, seconds: Number(s.toFixed(2)) }));
}
