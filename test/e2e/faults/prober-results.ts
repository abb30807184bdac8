/** What the fault cases' prober saw between two of its times (see proberManifest). */
export interface ProberResults {
  requests: number;
  failures: number;
  /** The longest run of failures (s, from the first's start to the last's). */
  longestOutage: number;
  /** Each failure: seconds after `from`, and why. */
  failedAt: string[];
  /** Each answer that took over 1 s: seconds after `from`, and how long. */
  slowAt: string[];
}

/**
 * Read the prober's log lines ("<uptime> ok", "<uptime> ok slow-<ms>ms", "<uptime> fail <why>")
 * between `from` and `to`. A run of failures starts at a failure; a slow answer does not start one,
 * but goes on with one under way (a timeout, then an answer seconds later, is one outage); an
 * answer in time ends it.
 */
export function proberResults(lines: string[], from: number, to: number): ProberResults {
  const r: ProberResults = { requests: 0, failures: 0, longestOutage: 0, failedAt: [], slowAt: [] };
  let outageStart: number | undefined;
  for (const line of lines) {
    const [t, result, why] = line.split(" ");
    const at = Number(t);
    if (!(at >= from && at <= to)) continue;
    r.requests++;
    const since = `${(at - from).toFixed(2)} s`;
    if (result === "fail") {
      r.failures++;
      r.failedAt.push(`${since} ${why ?? ""}`.trim());
      outageStart ??= at;
    } else if (why?.startsWith("slow")) r.slowAt.push(`${since} ${why}`);
    else {
      outageStart = undefined;
      continue;
    }
    if (outageStart !== undefined) r.longestOutage = Math.max(r.longestOutage, at - outageStart);
  }
  return r;
}
