import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ProbeWorker } from "./probe-worker.js";

describe("a probe worker", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  /** A readiness worker whose probe answers `answers` in turn (the last one from then on). */
  function worker(answers: (boolean | undefined)[], failureThreshold = 1) {
    let runs = 0;
    const run = async () => answers[Math.min(runs++, answers.length - 1)];
    const w = new ProbeWorker("readiness", { periodSeconds: 1, failureThreshold }, run, () => undefined);
    w.start(Date.now());
    return { w, runs: () => runs };
  }

  it("keeps its result through a probe that errors (tried 3 times, then thrown away)", async () => {
    const { w, runs } = worker([true, undefined]);
    await vi.advanceTimersByTimeAsync(0);
    expect(w.result).toBe(true);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(runs()).toBe(4);
    expect(w.result).toBe(true);
    w.stop();
  });

  it("takes the answer of a retry after an error", async () => {
    const { w, runs } = worker([true, undefined, false]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(runs()).toBe(3);
    expect(w.result).toBe(false);
    w.stop();
  });
});
