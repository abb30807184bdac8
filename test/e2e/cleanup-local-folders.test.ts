import { execa } from "execa";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { processAlive } from "../../src/process-alive.js";
import { until } from "./support/cluster.js";
import { RunningTp } from "./support/tp.js";
import { type FaultCase, faultCaseForFile } from "./faults/fault-case.js";

// kill -9 of tp where no container's label names its local folders: before its sidecar exists,
// and in `tp run`, whose program ends with tp where the preload library is loaded, else at tp cleanup.
const faultCase = faultCaseForFile("tp-local-leftovers");

async function sessionContainers(id: string): Promise<string[]> {
  const r = await execa("docker", ["ps", "-a", "-q", "--filter", `label=dev.tp.session=${id}`]);
  return r.stdout.split("\n").filter(Boolean);
}

/** Running, not a zombie (an ended program is reaped by whoever adopted it, maybe never). */
const alive = (pid: number) => processAlive(pid);

/**
 * `tp run -- command` (which prints "program PID") killed with -9 once its program runs; then
 * `then` checks what happens to the program and the session's leftovers.
 */
async function killedRun(
  command: string[],
  then: (c: FaultCase, pid: number, id: string) => Promise<void>,
): Promise<void> {
  const c = faultCase();
  const tp = new RunningTp(["run", "-n", c.ns, "--swap-deployment", "web", "--", ...command], {
    TMPDIR: c.tmp,
  });
  c.tp = tp;
  const pid = Number((await tp.waitFor(/program (\d+)\n/, 120_000))[1]);
  const id = await c.sessionId();
  try {
    tp.process.kill("SIGKILL");
    await tp.processExited();
    await then(c, pid, id);
  } finally {
    if (alive(pid)) process.kill(pid, "SIGKILL");
  }
}

describe("kill -9 of tp, then tp cleanup: nothing of the session is left on this machine", () => {
  it("with its session and socket folders made, its sidecar not yet", { timeout: 240_000 }, async () => {
    const c = faultCase();
    c.start("local-folders");
    await c.atStage("local-folders");
    const id = await c.sessionId();
    c.running().process.kill("SIGKILL");
    await c.running().processExited();
    const folders = [`tp-${id}-volumes`, `tp-${id}-run`].map((n) => join(c.tmp, n));
    expect(folders.filter((f) => existsSync(f))).toEqual(folders);
    expect(await sessionContainers(id)).toEqual([]);
    await c.expectLocalCleanAfterCleanup(id);
  });

  it(
    "of `tp run`: its program ends with tp (SIGTERM), tp cleanup removes its folders",
    { timeout: 240_000 },
    () =>
      killedRun(["sh", "-c", 'echo "program $$"; exec sleep 600'], async (c, pid, id) => {
        await until("the program to end with tp", () => !alive(pid), 5_000, 100);
        expect(existsSync(join(c.tmp, `tp-${id}-host`))).toBe(true);
        await c.expectLocalCleanAfterCleanup(id);
      }),
  );

  it("of `tp run` whose program started another: tp cleanup ends that one too", { timeout: 240_000 }, () =>
    // The shell ends with tp; the sleep it started in the background is not tp's child.
    killedRun(["sh", "-c", 'sleep 600 & echo "program $!"; wait'], async (c, pid, id) => {
      await new Promise((r) => setTimeout(r, 1_000));
      expect(alive(pid), "a program's child after kill -9 of tp").toBe(true);
      await c.expectLocalCleanAfterCleanup(id);
      await until("the program's child to end", () => !alive(pid), 10_000, 200);
    }),
  );

  it(
    "of `tp run` with a program the preload library cannot reach (static): tp cleanup ends it",
    { timeout: 240_000 },
    () =>
      killedRun(["busybox", "sh", "-c", 'echo "program $$"; exec busybox sleep 600'], async (c, pid, id) => {
        await new Promise((r) => setTimeout(r, 1_000));
        expect(alive(pid), "a static program after kill -9 of tp").toBe(true);
        await c.expectLocalCleanAfterCleanup(id);
        await until("the program to end", () => !alive(pid), 10_000, 200);
      }),
  );
});
