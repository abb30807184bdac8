import { execa } from "execa";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { kubectl, requireCluster } from "../support/cluster.js";
import { FaultCase } from "./fault-case.js";

// A part of the session dies, or someone changes the Deployment, while the session runs.
let c: FaultCase;

beforeAll(async () => {
  requireCluster();
  c = await FaultCase.create("tp-deaths");
}, 120_000);

afterEach(async () => {
  await c?.reset();
}, 120_000);

afterAll(async () => {
  await c?.dispose();
}, 120_000);

/** Start a session, let it reach `stage`, and return its id. */
async function sessionAt(stage: string): Promise<string> {
  c.start(stage);
  await c.atStage(stage);
  return c.sessionId();
}

describe("a session whose parts die ends at once and is undone by tp", () => {
  it("the sidecar killed once the user's container started", async () => {
    const id = await sessionAt("user-started");
    await execa("docker", ["kill", `tp-${id}-sidecar`]);
    c.resume();
    const killed = Date.now();
    const tp = c.running();
    expect(await tp.exit()).toBe(255);
    expect(Date.now() - killed).toBeLessThan(15_000);
    expect(tp.stderr).toMatch(new RegExp(`tp: the sidecar tp-${id}-sidecar stopped`));
    expect(tp.stderr).not.toMatch(/cannot be reached/);
    await c.expectClusterRestored(5_000);
    expect(await c.localLeftovers(id)).toEqual([]);
  });

  it("the proxy pod deleted with the swap done", async () => {
    const id = await sessionAt("swap-done");
    c.resume();
    await kubectl(["delete", "pod", "-n", c.ns, `web-tp-${id}`, "--wait=false"]);
    const deleted = Date.now();
    const tp = c.running();
    expect(await tp.exit()).toBe(255);
    expect(Date.now() - deleted).toBeLessThan(15_000);
    expect(tp.stderr).toMatch(new RegExp(`tp: the proxy pod ${c.ns}/web-tp-${id} (was|is being) deleted`));
    expect(tp.stderr).not.toMatch(/cannot be reached/);
    await c.expectClusterRestored(5_000);
    expect(await c.localLeftovers(id)).toEqual([]);
  });

  it("the user's container killed with the swap done: its exit code, everything undone", async () => {
    const id = await sessionAt("swap-done");
    c.resume();
    await execa("docker", ["kill", `tp-${id}`]);
    expect(await c.running().exit()).toBe(137);
    await c.expectClusterRestored(5_000);
    expect(await c.localLeftovers(id)).toEqual([]);
  });
});

describe("the Deployment changed during the session", () => {
  it("edited and scaled: tp says so and keeps the new count and the edit at the end", async () => {
    const id = await sessionAt("swap-done");
    c.resume();
    await kubectl(["set", "env", "-n", c.ns, "deployment/web", "EDITED=yes"]);
    await kubectl(["scale", "-n", c.ns, "deployment/web", "--replicas=3"]);
    const tp = c.running();
    await tp.waitFor(/deployment .*web was scaled to 3 during the session/, 15_000, "stderr");
    tp.process.kill("SIGINT");
    expect(await tp.exit()).toBe(130);
    const d = JSON.parse(await kubectl(["get", "deployment", "web", "-n", c.ns, "-o", "json"]));
    expect(d.spec.replicas).toBe(3);
    expect(JSON.stringify(d.spec.template.spec.containers[0].env)).toContain("EDITED");
    expect(Object.keys(d.metadata.annotations ?? {}).filter((k) => k.startsWith("tp.dev/"))).toEqual([]);
    expect(tp.stderr).toMatch(/keeping the 3 replicas it was scaled to/);
    expect(await c.localLeftovers(id)).toEqual([]);
  });
});
