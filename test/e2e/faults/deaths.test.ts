import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { kubectl } from "../support/cluster.js";
import { faultCaseForFile } from "./fault-case.js";

// A part of the session dies, or someone changes the Deployment, while the session runs.
const fault = faultCaseForFile("tp-deaths");

/** Start a session, let it reach `stage`, and return its id. */
async function sessionAt(stage: string): Promise<string> {
  fault().start(stage);
  await fault().atStage(stage);
  return fault().sessionId();
}

describe("a session whose parts die ends at once and is undone by tp", () => {
  it("the sidecar killed once the user's container started", async () => {
    const id = await sessionAt("user-started");
    await execa("docker", ["kill", `tp-${id}-sidecar`]);
    fault().resume();
    const killed = Date.now();
    const tp = fault().running();
    expect(await tp.exit()).toBe(255);
    expect(Date.now() - killed).toBeLessThan(15_000);
    expect(tp.stderr).toMatch(new RegExp(`tp: the sidecar tp-${id}-sidecar stopped`));
    expect(tp.stderr).not.toMatch(/cannot be reached/);
    await fault().expectClusterRestored(5_000);
    expect(await fault().localLeftovers(id)).toEqual([]);
  });

  it("the proxy pod deleted with the swap done", async () => {
    const id = await sessionAt("swap-done");
    fault().resume();
    await kubectl(["delete", "pod", "-n", fault().ns, `web-tp-${id}`, "--wait=false"]);
    const deleted = Date.now();
    const tp = fault().running();
    expect(await tp.exit()).toBe(255);
    expect(Date.now() - deleted).toBeLessThan(15_000);
    expect(tp.stderr).toMatch(
      new RegExp(`tp: the proxy pod ${fault().ns}/web-tp-${id} (was|is being) deleted`),
    );
    expect(tp.stderr).not.toMatch(/cannot be reached/);
    await fault().expectClusterRestored(5_000);
    expect(await fault().localLeftovers(id)).toEqual([]);
  });

  it("the user's container killed with the swap done: its exit code, everything undone", async () => {
    const id = await sessionAt("swap-done");
    fault().resume();
    await execa("docker", ["kill", `tp-${id}`]);
    expect(await fault().running().exit()).toBe(137);
    await fault().expectClusterRestored(5_000);
    expect(await fault().localLeftovers(id)).toEqual([]);
  });
});

describe("the Deployment changed during the session", () => {
  it("edited and scaled: tp says so and keeps the new count and the edit at the end", async () => {
    const id = await sessionAt("swap-done");
    fault().resume();
    await kubectl(["set", "env", "-n", fault().ns, "deployment/web", "EDITED=yes"]);
    await kubectl(["scale", "-n", fault().ns, "deployment/web", "--replicas=3"]);
    const tp = fault().running();
    await tp.waitFor(/deployment .*web was scaled to 3 during the session/, 15_000, "stderr");
    tp.process.kill("SIGINT");
    expect(await tp.exit()).toBe(130);
    const d = JSON.parse(await kubectl(["get", "deployment", "web", "-n", fault().ns, "-o", "json"]));
    expect(d.spec.replicas).toBe(3);
    expect(JSON.stringify(d.spec.template.spec.containers[0].env)).toContain("EDITED");
    expect(Object.keys(d.metadata.annotations ?? {}).filter((k) => k.startsWith("tp.dev/"))).toEqual([]);
    expect(tp.stderr).toMatch(/keeping the 3 replicas it was scaled to/);
    // The user's own changes are theirs to undo: done here, so that the next case starts as before.
    await kubectl(["set", "env", "-n", fault().ns, "deployment/web", "EDITED-"]);
    await kubectl(["scale", "-n", fault().ns, "deployment/web", "--replicas=2"]);
    expect(await fault().localLeftovers(id)).toEqual([]);
  });
});
