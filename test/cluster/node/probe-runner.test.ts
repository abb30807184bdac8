import { PassThrough } from "node:stream";
import type Docker from "dockerode";
import { describe, expect, it } from "vitest";
import { execStateAfterOutput, type ExecState } from "./exec-exit.js";
import { execProbe } from "./probe-runner.js";

/** A Docker whose exec's output ends at once (or never) and whose inspect answers `states` in turn. */
function fakeDocker(states: ExecState[], output: "ends" | "hangs" = "ends") {
  let reads = 0;
  const docker = {
    getContainer: () => ({
      exec: async () => ({
        start: async () => {
          const stream = new PassThrough();
          if (output === "ends") setImmediate(() => stream.end());
          return stream;
        },
        inspect: async () => states[Math.min(reads++, states.length - 1)],
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
});

describe("execStateAfterOutput", () => {
  it("returns the first state that is not Running, without waiting", async () => {
    const started = Date.now();
    const state = await execStateAfterOutput(async () => ({ Running: false, ExitCode: 3 }));
    expect(state).toEqual({ Running: false, ExitCode: 3 });
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
