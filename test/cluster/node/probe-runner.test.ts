import { PassThrough } from "node:stream";
import type Docker from "dockerode";
import { describe, expect, it } from "vitest";
import type { ExecState } from "./exec-exit.js";
import { execProbe, runProbe } from "./probe-runner.js";

/**
 * A Docker whose exec's output ends at once (or never, or breaks) and whose inspect answers
 * `states` in turn (an Error: that read fails).
 */
function fakeDocker(states: (ExecState | Error)[], output: "ends" | "hangs" | "breaks" = "ends") {
  let reads = 0;
  const docker = {
    getContainer: () => ({
      exec: async () => ({
        start: async () => {
          const stream = new PassThrough();
          if (output === "ends") setImmediate(() => stream.end());
          if (output === "breaks") setImmediate(() => stream.destroy(new Error("connection reset")));
          return stream;
        },
        inspect: async () => {
          const state = states[Math.min(reads++, states.length - 1)];
          if (state instanceof Error) throw state;
          return state;
        },
      }),
    }),
  } as unknown as Docker;
  return { docker, reads: () => reads };
}

const target = { podIP: "10.0.0.1", containerId: "c1", container: { name: "app" } };
const fast = { intervalMs: 5 };

describe("an exec probe", () => {
  it("reads the exit code again while Docker still says the exec runs after its output ended", async () => {
    const exited = fakeDocker([
      { Running: true, ExitCode: null },
      { Running: false, ExitCode: 0 },
    ]);
    expect(await execProbe(exited.docker, target, ["true"], 1_000, fast)).toBe(true);
    expect(exited.reads()).toBe(2);
    const failed = fakeDocker([
      { Running: true, ExitCode: null },
      { Running: false, ExitCode: 1 },
    ]);
    expect(await execProbe(failed.docker, target, ["false"], 1_000, fast)).toBe(false);
  });

  it("succeeds as the kubelet's Docker runtime does when every read says it still runs", async () => {
    const running = fakeDocker([{ Running: true, ExitCode: null }]);
    expect(await execProbe(running.docker, target, ["sleep", "9"], 1_000, fast)).toBe(true);
    expect(running.reads()).toBe(5);
  });

  it("fails once its output has not ended within the probe's timeout", async () => {
    const hung = fakeDocker([{ Running: false, ExitCode: 0 }], "hangs");
    expect(await execProbe(hung.docker, target, ["sleep", "9"], 50, fast)).toBe(false);
    expect(hung.reads()).toBe(0);
  });

  it("errors, rather than fails, where Docker does: the kubelet then has no result", async () => {
    const broken = fakeDocker([{ Running: false, ExitCode: 0 }], "breaks");
    await expect(execProbe(broken.docker, target, ["true"], 1_000, fast)).rejects.toThrow("connection reset");
    const probe = { exec: { command: ["true"] }, timeoutSeconds: 1 };
    expect(await runProbe(broken.docker, probe, target)).toBeUndefined();
    const unreadable = fakeDocker([new Error("no such exec")]);
    expect(await runProbe(unreadable.docker, probe, target)).toBeUndefined();
    // A failed command is a failure, not an error.
    const failed = fakeDocker([{ Running: false, ExitCode: 1 }]);
    expect(await runProbe(failed.docker, probe, target)).toBe(false);
  });
});
