import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireCluster } from "../support/cluster.js";
import { runTp } from "../support/tp.js";
import { FaultCase } from "./fault-case.js";

// kill -9 of tp at several stages. The cluster must undo each session by itself (the warden) within
// 60 s, so the cases run side by side, each in a namespace of its own, to share that wait.
const stages = ["annotated", "proxy-ready", "volume-copy", "restoring", "swap-done"] as const;
const cases = new Map<string, FaultCase>();

beforeAll(async () => {
  requireCluster();
  await Promise.all(
    stages.map(async (s) =>
      cases.set(s, await FaultCase.create(`tp-kill-${s}`, { prober: s === "proxy-ready" })),
    ),
  );
}, 180_000);

afterAll(async () => {
  await Promise.all([...cases.values()].map((c) => c.dispose()));
}, 120_000);

describe.concurrent("kill -9 of tp", () => {
  it("after the annotation: the warden undoes the session within 60 s", { timeout: 180_000 }, async () => {
    const c = cases.get("annotated") as FaultCase;
    const id = await c.killAt("annotated");
    const ms = await c.expectClusterRestored();
    process.stderr.write(`kill -9 after the annotation: cluster as before after ${ms} ms\n`);
    await c.expectLocalCleanAfterCleanup(id);
  });

  it(
    "with the proxy Ready: the proxy leaves the Service at once, the warden undoes the rest",
    { timeout: 180_000 },
    async () => {
      const c = cases.get("proxy-ready") as FaultCase;
      const id = await c.killAt("proxy-ready");
      const killed = await c.proberNow();
      const ms = await c.expectClusterRestored();
      // Until the proxy's probe notices its session is gone (a second, and the endpoints catching
      // up), requests may fail; after that the Deployment's own pods answer every one.
      const after = await c.proberResults(killed + 3, await c.proberNow());
      expect(after.requests).toBeGreaterThan(50);
      expect(after.failures, `${JSON.stringify(after)}\n${await c.serviceReport()}`).toBe(0);
      process.stderr.write(`kill -9 with the proxy Ready: cluster as before after ${ms} ms\n`);
      await c.expectLocalCleanAfterCleanup(id);
    },
  );

  it(
    "during the first volume copy: the session folder stays private until tp cleanup removes it",
    { timeout: 180_000 },
    async () => {
      const c = cases.get("volume-copy") as FaultCase;
      const id = await c.killAt("volume-copy");
      c.expectLocalPrivate();
      await c.expectClusterRestored();
      await c.expectLocalCleanAfterCleanup(id);
    },
  );

  it("with the swap done, then tp cleanup at once: the cluster is undone now, not when the lease runs out", async () => {
    const c = cases.get("swap-done") as FaultCase;
    const id = await c.killAt("swap-done");
    const r = await runTp(["cleanup", "-n", c.ns], { env: { TMPDIR: c.tmp } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/deployment .*web restored to 2 replicas/);
    await c.expectClusterRestored(5_000);
    expect(await c.localLeftovers(id)).toEqual([]);
  });

  it("during the restore: the warden finishes it", { timeout: 180_000 }, async () => {
    const c = cases.get("restoring") as FaultCase;
    const tp = c.start("restoring");
    await tp.waitFor(/serving/, 90_000);
    const id = await c.sessionId();
    tp.process.kill("SIGINT");
    await c.atStage("restoring");
    tp.process.kill("SIGKILL");
    await tp.processExited();
    await c.expectClusterRestored();
    await c.expectLocalCleanAfterCleanup(id);
  });
});
