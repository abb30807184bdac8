import { describe, expect, it } from "vitest";
import { execStateAfterOutput } from "./exec-exit.js";

describe("execStateAfterOutput", () => {
  it("returns the first state that is not Running, without waiting", async () => {
    const started = Date.now();
    const state = await execStateAfterOutput(async () => ({ Running: false, ExitCode: 3 }));
    expect(state).toEqual({ Running: false, ExitCode: 3 });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("reads at most `reads` times, and returns Running when it never changed", async () => {
    let reads = 0;
    const state = await execStateAfterOutput(async () => (reads++, { Running: true, ExitCode: null }), {
      reads: 3,
      intervalMs: 1,
    });
    expect(state.Running).toBe(true);
    expect(reads).toBe(3);
  });
});
