import { readFileSync } from "node:fs";
import { afterAll, beforeAll, expect } from "vitest";
import { requireCluster } from "../support/cluster.js";
import { RunningTp } from "../support/tp.js";
import { FaultCase } from "./fault-case.js";

/** The stages of a session a fault is injected at, in the order a session reaches them. */
export const stages = [
  "annotated",
  "proxy-created",
  "proxy-ready",
  "sidecar-up",
  "volume-copy",
  "session-up",
  "user-started",
  "swap-done",
  "restoring",
] as const;

export type MatrixStage = (typeof stages)[number];

/** The stages from `first` on (where a part of the session exists). */
export function stagesFrom(first: MatrixStage): MatrixStage[] {
  return stages.slice(stages.indexOf(first));
}

/**
 * A user command that serves, then ends by itself a few seconds later: a session run with it
 * reaches `restoring` with no signal sent (the swap is done well before it ends).
 */
const endingScript =
  "mkdir -p /w && echo hi > /w/index.html && httpd -p 8080 -h /w && echo serving && sleep 6";

/** Start a session in `c` and let it stop at `stage`; returns tp and the session's id. */
export async function reach(c: FaultCase, stage: MatrixStage): Promise<{ tp: RunningTp; id: string }> {
  const tp = c.start(stage, stage === "restoring" ? { userScript: endingScript } : {});
  await c.atStage(stage);
  return { tp, id: await c.sessionId() };
}

/** tp's exit code, or a failure naming what tp said if it has not ended within `ms`. */
export async function exitWithin(tp: RunningTp, ms: number): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`tp still runs ${ms} ms later; stderr:\n${tp.stderr}`)), ms);
  });
  try {
    return await Promise.race([tp.exit(), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * At most `n` runs at once, the rest queued in order: for the side-by-side cases' session starts,
 * which take most of the machine's CPU, while the waits after them still overlap.
 */
export function limitTo(n: number): <T>(run: () => Promise<T>) => Promise<T> {
  let running = 0;
  const queue: (() => void)[] = [];
  return async (run) => {
    if (running >= n) await new Promise<void>((resolve) => queue.push(resolve));
    else running++;
    try {
      return await run();
    } finally {
      const next = queue.shift();
      if (next) next();
      else running--;
    }
  };
}

/**
 * A pool of FaultCases (each a namespace of its own) for the cases of a file that run side by
 * side: a case takes a free one, and gives it back reset (see FaultCase.reset).
 */
export function faultCasePool(
  prefix: string,
  size: number,
  options: { prober?: boolean } = {},
): <T>(run: (c: FaultCase) => Promise<T>) => Promise<T> {
  const free: FaultCase[] = [];
  const all: FaultCase[] = [];
  const waiting: ((c: FaultCase) => void)[] = [];
  beforeAll(async () => {
    requireCluster();
    const made = await Promise.allSettled(
      Array.from({ length: size }, (_, i) => FaultCase.create(`${prefix}-${i}`, options)),
    );
    // Those made are disposed (afterAll) even where another could not be.
    for (const m of made) if (m.status === "fulfilled") all.push(m.value);
    const failed = made.find((m) => m.status === "rejected");
    if (failed) throw failed.reason;
    free.push(...all);
  }, 180_000);
  afterAll(async () => {
    await Promise.all(all.map((c) => c.dispose()));
  }, 120_000);
  const release = (c: FaultCase) => {
    const next = waiting.shift();
    if (next) next(c);
    else free.push(c);
  };
  return async (run) => {
    const c = free.pop() ?? (await new Promise<FaultCase>((resolve) => waiting.push(resolve)));
    try {
      return await run(c);
    } finally {
      await c.reset().finally(() => release(c));
    }
  };
}

/**
 * The Service's longest outage (s) between two prober times: none worth the name. On a signal tp
 * hands the traffic back (the workload's pods Ready, the proxy gone) before the user's container
 * stops, and the proxy's agent serves on after its deletion until connections stop reaching it, so
 * the Service answers throughout. (Before that drain, a request routed to the proxy once its agent
 * had exited timed out: up to three in a row under CI's load, 2.6 s. A restore that stopped the
 * container first left an outage as long as the pods' start: 7–13 s here; a take-over before the
 * container ran, 5.5 s.) The outage runs from the first failure of a run to its last: one
 * failure alone counts 0 s, and a failure or a slow answer right after a timeout (3 s, see the
 * prober) is over the bound (prober-results.ts).
 */
export async function expectShortOutage(c: FaultCase, from: number): Promise<void> {
  const results = await c.proberResults(from, await c.proberNow());
  // Each failure with its time after `from` and its step, also under the bound: a rare outage over
  // it then has earlier runs' failures to compare with.
  const failed = [
    ...(results.failures ? [`failed at ${results.failedAt.join(", ")}`] : []),
    ...(results.slowAt.length ? [`slow at ${results.slowAt.join(", ")}`] : []),
  ].join("; ");
  process.stderr.write(
    `${c.ns}: longest outage ${results.longestOutage.toFixed(2)} s${failed && ` (${failed})`}\n`,
  );
  // failedAt: seconds after `from`; with tp's words, what it did meanwhile. The prober's clock is
  // the machine's uptime (a container reads the host's), so `from` is placed on tp's clock too.
  const fromOnTp = c.tp ? from - (hostUptime() - (Date.now() - c.tp.started) / 1000) : NaN;
  expect(
    results.longestOutage,
    `${JSON.stringify(results)}\n(failedAt and slowAt: s after tp's ${fromOnTp.toFixed(2)} s)\n${await c.serviceReport()}\ntp (signalled at ${c.tp?.signalledAt} s):\n${c.tp?.stderrTimed ?? ""}`,
  ).toBeLessThan(1.5);
}

/** The machine's uptime (s): the clock of the prober's log. */
function hostUptime(): number {
  return Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]);
}
