import { execa } from "execa";
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { kubectl } from "../support/cluster.js";
import { FaultCase } from "./fault-case.js";
import { exitWithin, faultCasePool, MatrixStage, reach, stages, stagesFrom } from "./matrix.js";

// A part of the session dies, or someone changes the Deployment, while the session runs. The
// cases run side by side, each in a namespace of the pool.
const withCase = faultCasePool("tp-deaths", 4);

/**
 * The fault injected while tp waits at `stage`, then tp goes on: it ends at once (with an error,
 * or at `restoring` as it would have anyway), and has undone everything itself.
 */
async function partDies(
  stage: MatrixStage,
  kill: (c: FaultCase, id: string) => Promise<unknown>,
  said: (c: FaultCase, id: string) => RegExp,
  options: { podsKept?: boolean } = {},
): Promise<void> {
  await withCase(async (c) => {
    const { tp, id } = await reach(c, stage);
    const pods = () =>
      kubectl(["get", "pods", "-n", c.ns, "-l", "app=web,app.kubernetes.io/managed-by!=tp", "-o", "name"]);
    const before = options.podsKept ? await pods() : "";
    await kill(c, id);
    c.resume();
    const code = await exitWithin(tp, 20_000);
    if (stage === "restoring") expect([0, 255], tp.stderr).toContain(code);
    else {
      expect(code, tp.stderr).toBe(255);
      expect(tp.stderr).toMatch(said(c, id));
    }
    expect(tp.stderr).not.toMatch(/cannot be reached/);
    await c.expectClusterRestored(5_000);
    expect(await c.localLeftovers(id)).toEqual([]);
    expect(readdirSync(c.tmp)).toEqual([]);
    // A session dead before it took the traffic over never takes it: the workload's pods served on.
    if (options.podsKept) expect(await pods(), tp.stderr).toBe(before);
  });
}

describe.concurrent("a session whose parts die ends at once and is undone by tp", () => {
  for (const stage of stagesFrom("sidecar-up"))
    it(`the sidecar killed at ${stage}`, { timeout: 400_000 }, () =>
      partDies(
        stage,
        // At `restoring` tp may be stopping it already: then there is nothing left to kill.
        (_, id) => execa("docker", ["kill", `tp-${id}-sidecar`], { reject: stage !== "restoring" }),
        (_, id) => new RegExp(`the sidecar tp-${id}-sidecar stopped`),
        { podsKept: stages.indexOf(stage) < stages.indexOf("swap-done") },
      ),
    );

  for (const stage of stagesFrom("proxy-created"))
    it(`the proxy pod deleted at ${stage}`, { timeout: 400_000 }, () =>
      partDies(
        stage,
        (c, id) => kubectl(["delete", "pod", "-n", c.ns, `web-tp-${id}`, "--wait=false"]),
        (c, id) => new RegExp(`pod ${c.ns}/web-tp-${id} (was|is being) deleted`),
        // Its agent serves on through the pod's grace period: tp must not take the traffic over.
        { podsKept: stages.indexOf(stage) < stages.indexOf("swap-done") },
      ),
    );

  it(
    "the user's container killed with the swap done: its exit code, everything undone",
    { timeout: 400_000 },
    () =>
      withCase(async (c) => {
        const { tp, id } = await reach(c, "swap-done");
        c.resume();
        await execa("docker", ["kill", `tp-${id}`]);
        expect(await exitWithin(tp, 20_000), tp.stderr).toBe(137);
        await c.expectClusterRestored(5_000);
        expect(await c.localLeftovers(id)).toEqual([]);
      }),
  );

  it(
    "the Deployment edited and scaled: tp says so and keeps the new count and the edit at the end",
    { timeout: 400_000 },
    () =>
      withCase(async (c) => {
        const { tp, id } = await reach(c, "swap-done");
        c.resume();
        await kubectl(["set", "env", "-n", c.ns, "deployment/web", "EDITED=yes"]);
        await kubectl(["scale", "-n", c.ns, "deployment/web", "--replicas=3"]);
        await tp.waitFor(/deployment .*web was scaled to 3 during the session/, 15_000, "stderr");
        tp.process.kill("SIGINT");
        expect(await exitWithin(tp, 30_000)).toBe(130);
        const d = JSON.parse(await kubectl(["get", "deployment", "web", "-n", c.ns, "-o", "json"]));
        expect(d.spec.replicas).toBe(3);
        expect(JSON.stringify(d.spec.template.spec.containers[0].env)).toContain("EDITED");
        expect(Object.keys(d.metadata.annotations ?? {}).filter((k) => k.startsWith("tp.dev/"))).toEqual([]);
        expect(tp.stderr).toMatch(/keeping the 3 replicas it was scaled to/);
        // The user's own changes are theirs to undo: done here, so that the next case starts as before.
        await kubectl(["set", "env", "-n", c.ns, "deployment/web", "EDITED-"]);
        await kubectl(["scale", "-n", c.ns, "deployment/web", "--replicas=2"]);
        expect(await c.localLeftovers(id)).toEqual([]);
      }),
  );
});
