import { execa } from "execa";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { uniqueName } from "../support/cluster.js";
import { RunningTp, runTp } from "../support/tp.js";

// tp up interrupted while a plain service's container is being started.
const dir = mkdtempSync(join(tmpdir(), "tp-fault-project-"));
const project = uniqueName("tpfault");
const file = join(dir, "tp.yaml");

async function leftovers(): Promise<string[]> {
  const r = await execa("docker", ["ps", "-aq", "--filter", `label=dev.tp.project=${project}`]);
  return r.stdout.split("\n").filter(Boolean);
}

afterAll(async () => {
  await runTp(["down", "-f", file], { timeoutMs: 60_000 }).catch(() => undefined);
  for (const id of await leftovers()) await execa("docker", ["rm", "-f", id], { reject: false });
  rmSync(dir, { recursive: true, force: true });
});

describe("tp up interrupted", () => {
  it("while a plain service starts: its container is removed too", { timeout: 120_000 }, async () => {
    writeFileSync(
      file,
      `name: ${project}\nservices:\n  cache:\n    image: tp-test-busybox:local\n    command: ["sleep", "600"]\n`,
    );
    const tp = new RunningTp(["up", "-f", file], { TP_TEST_PAUSE_AT: "service-starting" });
    await tp.waitFor(/tp-test-stage: service-starting\n/, 60_000, "stderr");
    tp.process.kill("SIGINT");
    expect(await tp.exit(), tp.stderr).toBe(130);
    expect(await leftovers()).toEqual([]);
  });
});
