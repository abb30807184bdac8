import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { faultCaseForFile } from "./fault-case.js";

// The API server stops answering (paused, as a network that holds packets would) while a session
// runs. The whole test cluster is affected, so these cases run alone.
const apiServer = "tp-test-cluster-apiserver";

async function pauseApiServer(ms: number): Promise<void> {
  await execa("docker", ["pause", apiServer]);
  try {
    await new Promise((r) => setTimeout(r, ms));
  } finally {
    await execa("docker", ["unpause", apiServer]);
  }
}

const fault = faultCaseForFile("tp-pause", {
  afterAll: () => execa("docker", ["unpause", apiServer], { reject: false }),
});

describe("the API server paused during a session", () => {
  it("for 10 s: the session goes on, and ends as usual", { timeout: 180_000 }, async () => {
    const tp = fault().start("swap-done");
    await fault().atStage("swap-done");
    fault().resume();
    const id = await fault().sessionId();
    await pauseApiServer(10_000);
    await new Promise((r) => setTimeout(r, 5_000));
    expect(tp.process.exitCode ?? null, tp.stderr).toBeNull();
    tp.process.kill("SIGINT");
    expect(await tp.exit(), tp.stderr).toBe(130);
    await fault().expectClusterRestored(10_000);
    expect(await fault().localLeftovers(id)).toEqual([]);
  });

  it(
    "for 50 s: tp ends with an error, and the cluster undoes the session within 60 s",
    { timeout: 240_000 },
    async () => {
      const tp = fault().start("swap-done");
      await fault().atStage("swap-done");
      fault().resume();
      const id = await fault().sessionId();
      await pauseApiServer(50_000);
      const ms = await fault().expectClusterRestored(60_000);
      process.stderr.write(`API server paused 50 s: cluster as before ${ms} ms after it answered again\n`);
      expect(await tp.exit()).toBe(255);
      expect(tp.stderr).toMatch(/could not be renewed|is lost/);
      await fault().expectLocalCleanAfterCleanup(id);
    },
  );
});
