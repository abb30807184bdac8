import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireCluster, until } from "../support/cluster.js";
import { runTp } from "../support/tp.js";
import { FaultCase } from "./fault-case.js";
import { limitTo, reach, stages, type MatrixStage } from "./matrix.js";

// kill -9 of tp at every stage. The cluster must undo each session by itself (the warden) within
// 60 s, so the cases run side by side, each in a namespace of its own, to share that wait. Only two
// sessions start at once, a session's warden counting until it runs: eleven starting together on
// two slow cores made the wardens of the earliest stages start late, and their undo 66-73 s late.
const cases = new Map<string, FaultCase>();
const names = [...stages, "cleanup-at-once", "cleanup-no-docker"];
const starting = limitTo(2);

/** Start a session in `c`, let it reach `stage` and kill -9 tp there; resolves at the kill. */
function killAt(c: FaultCase, stage: MatrixStage): Promise<string> {
  return new Promise((resolve, reject) => {
    void starting(async () => {
      try {
        const { tp, id } = await reach(c, stage);
        tp.process.kill("SIGKILL");
        await tp.processExited();
        resolve(id);
        await until("the warden to run", () => c.wardenStarted(id), 60_000, 500).catch(() => undefined);
      } catch (err) {
        reject(err as Error);
      }
    });
  });
}

beforeAll(async () => {
  requireCluster();
  await Promise.all(
    names.map(async (s) =>
      cases.set(s, await FaultCase.create(`tp-kill-${s}`, { prober: s === "proxy-ready" })),
    ),
  );
}, 180_000);

afterAll(async () => {
  await Promise.all([...cases.values()].map((c) => c.dispose()));
}, 120_000);

describe.concurrent("kill -9 of tp", () => {
  for (const stage of stages)
    it(
      `at ${stage}: the warden undoes the cluster within 60 s, tp cleanup the local leftovers`,
      { timeout: 420_000 },
      async () => {
        const c = cases.get(stage) as FaultCase;
        const id = await killAt(c, stage);
        const killed = stage === "proxy-ready" ? await c.proberNow() : 0;
        const ms = await c.expectClusterRestored();
        process.stderr.write(`kill -9 at ${stage}: cluster as before after ${ms} ms\n`);
        if (stage === "proxy-ready") {
          // Until the proxy's probe notices its session is gone (a second, and the endpoints
          // catching up), requests may fail; after that the Deployment's own pods answer every one.
          const after = await c.proberResults(killed + 3, await c.proberNow());
          expect(after.requests).toBeGreaterThan(50);
          expect(after.failures, `${JSON.stringify(after)}\n${await c.serviceReport()}`).toBe(0);
        }
        await c.expectLocalCleanAfterCleanup(id);
      },
    );

  it(
    "with the swap done, then tp cleanup at once: the cluster is undone now, not when the lease runs out",
    { timeout: 420_000 },
    async () => {
      const c = cases.get("cleanup-at-once") as FaultCase;
      const id = await killAt(c, "swap-done");
      const r = await runTp(["cleanup", "-n", c.ns], { env: { TMPDIR: c.tmp } });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/deployment .*web restored to 2 replicas/);
      await c.expectClusterRestored(5_000);
      expect(await c.localLeftovers(id)).toEqual([]);
    },
  );

  it(
    "then tp cleanup with Docker not answering: the cluster is still undone, the failure named",
    { timeout: 420_000 },
    async () => {
      const c = cases.get("cleanup-no-docker") as FaultCase;
      const id = await killAt(c, "swap-done");
      const noDocker = { TMPDIR: c.tmp, DOCKER_HOST: "unix:///nonexistent/docker.sock" };
      const r = await runTp(["cleanup", "-n", c.ns], { env: noDocker });
      expect(r.exitCode, r.stderr).toBe(255);
      expect(r.stdout).toMatch(/deployment .*web restored to 2 replicas/);
      expect(r.stderr).toMatch(/cleanup step\(s\) failed.*\n.*list the local containers/);
      await c.expectClusterRestored(5_000);
      // With Docker back, what is left on this machine goes.
      await c.expectLocalCleanAfterCleanup(id);
    },
  );
});
