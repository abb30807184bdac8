// Process figures read from /proc (Linux): CPU seconds, peak RSS (resettable), descendants.
import { readFileSync, readdirSync, writeFileSync } from "node:fs";

const read = (path) => {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
};

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
