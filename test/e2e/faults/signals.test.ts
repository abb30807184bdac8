import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { faultCaseForFile } from "./fault-case.js";

// SIGINT and SIGTERM at the stages of a session's start and end: tp undoes everything itself
// before it exits (130 / 143), whatever was under way.
const fault = faultCaseForFile("tp-signals", { prober: true });

async function interruptAt(stage: string, signal: "SIGINT" | "SIGTERM"): Promise<void> {
  const tp = fault().start(stage);
  await fault().atStage(stage);
  const id = await fault().sessionId();
  tp.process.kill(signal);
  expect(await tp.exit(), tp.stderr).toBe(signal === "SIGINT" ? 130 : 143);
  // Undone by tp itself before it exited: nothing is left for the warden or tp cleanup.
  await fault().expectClusterRestored(5_000);
  expect(await fault().localLeftovers(id)).toEqual([]);
  expect(readdirSync(fault().tmp)).toEqual([]);
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
      const tp = fault().start("swap-done");
      await fault().atStage("swap-done");
      const id = await fault().sessionId();
      const from = await fault().proberNow();
      tp.process.kill("SIGINT");
      expect(await tp.exit(), tp.stderr).toBe(130);
      await fault().expectClusterRestored(5_000);
      const results = await fault().proberResults(from, await fault().proberNow());
      // The local container is gone first; then nothing serves until the restored pods are Ready
      // (on this cluster a pod of the echo server is Ready within about 3 s).
      expect(results.longestOutage, JSON.stringify(results)).toBeLessThan(6);
      expect(await fault().localLeftovers(id)).toEqual([]);
    },
  );
});
