import { readdirSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { requireCluster } from "../support/cluster.js";
import { FaultCase } from "./fault-case.js";

// SIGINT and SIGTERM at the stages of a session's start and end: tp undoes everything itself
// before it exits (130 / 143), whatever was under way.
let c: FaultCase;

beforeAll(async () => {
  requireCluster();
  c = await FaultCase.create("tp-signals", { prober: true });
}, 120_000);

afterEach(async () => {
  await c?.reset();
}, 120_000);

afterAll(async () => {
  await c?.dispose();
}, 120_000);

async function interruptAt(stage: string, signal: "SIGINT" | "SIGTERM"): Promise<void> {
  const tp = c.start(stage);
  await c.atStage(stage);
  const id = await c.sessionId();
  tp.process.kill(signal);
  expect(await tp.exit(), tp.stderr).toBe(signal === "SIGINT" ? 130 : 143);
  // Undone by tp itself before it exited: nothing is left for the warden or tp cleanup.
  await c.expectClusterRestored(5_000);
  expect(await c.localLeftovers(id)).toEqual([]);
  expect(readdirSync(c.tmp)).toEqual([]);
}

describe("an interrupted session is undone by tp before it exits", () => {
  it("SIGTERM after the annotation, before the proxy pod exists", async () => {
    await interruptAt("annotated", "SIGTERM");
  });

  it("SIGINT once the proxy pod is created", async () => {
    await interruptAt("proxy-created", "SIGINT");
  });

  it("SIGTERM with the sidecar up", async () => {
    await interruptAt("sidecar-up", "SIGTERM");
  });

  it("SIGINT during the first volume copy: no session folder and no Secret left behind", async () => {
    await interruptAt("volume-copy", "SIGINT");
  });

  it(
    "SIGINT with the swap done: restored, and the Service answers again once the Deployment's pods are Ready",
    { timeout: 180_000 },
    async () => {
      const tp = c.start("swap-done");
      await c.atStage("swap-done");
      const id = await c.sessionId();
      const from = await c.proberNow();
      tp.process.kill("SIGINT");
      expect(await tp.exit(), tp.stderr).toBe(130);
      await c.expectClusterRestored(5_000);
      const results = await c.proberResults(from, await c.proberNow());
      // The local container is gone first; then nothing serves until the restored pods are Ready
      // (on this cluster a pod of the echo server is Ready within about 3 s).
      expect(results.longestOutage, JSON.stringify(results)).toBeLessThan(6);
      expect(await c.localLeftovers(id)).toEqual([]);
    },
  );
});
