import { describe, expect, it } from "vitest";
import { watchForLoss } from "./loss-watch.js";
import { settled, until } from "./testing.js";

describe("watchForLoss", () => {
  it("asks again and again while there is no reason, and fails once with the first one", async () => {
    let asked = 0;
    const state: { reason?: string } = {};
    const w = watchForLoss(
      async () => (asked++, state.reason),
      (r) => new Error(`gone: ${r}`),
      5,
    );
    const seen = settled(w.lost);
    await until(() => asked >= 3);
    expect(seen.error).toBeUndefined();
    state.reason = "deleted";
    await until(() => seen.error !== undefined);
    expect(seen.error?.message).toBe("gone: deleted");
    const after = asked;
    await new Promise((r) => setTimeout(r, 30));
    expect(asked).toBe(after);
  });

  it("starts looking once `firstAfter` resolves, and never if it rejects", async () => {
    let asked = 0;
    let start: () => void = () => undefined;
    const w = watchForLoss(async () => (asked++, undefined), Error, 5, new Promise<void>((r) => (start = r)));
    await new Promise((r) => setTimeout(r, 30));
    expect(asked).toBe(0);
    start();
    await until(() => asked >= 2);
    expect(asked).toBeGreaterThanOrEqual(2);
    w.stop();
    let never = 0;
    const v = watchForLoss(async () => (never++, undefined), Error, 5, Promise.reject(new Error("no pod")));
    await new Promise((r) => setTimeout(r, 30));
    expect(never).toBe(0);
    v.stop();
  });

  it("checkNow looks at once: the reason, with `lost` rejected; nothing once stopped", async () => {
    const state: { reason?: string } = {};
    const w = watchForLoss(
      async () => state.reason,
      (r) => new Error(r),
      60_000,
    );
    const seen = settled(w.lost);
    expect(await w.checkNow()).toBeUndefined();
    state.reason = "being deleted";
    expect(await w.checkNow()).toBe("being deleted");
    await until(() => seen.error !== undefined);
    expect(seen.error?.message).toBe("being deleted");
    const stopped = watchForLoss(async () => "deleted", Error, 60_000);
    const quiet = settled(stopped.lost);
    stopped.stop();
    expect(await stopped.checkNow()).toBeUndefined();
    await new Promise((r) => setTimeout(r, 10));
    expect(quiet.error).toBeUndefined();
  });

  it("checkNow gives the reason a look under way at the same time found first", async () => {
    const answers: ((reason?: string) => void)[] = [];
    const w = watchForLoss(() => new Promise<string | undefined>((r) => answers.push(r)), Error, 60_000);
    settled(w.lost);
    const first = w.checkNow();
    const second = w.checkNow();
    answers[1]!("being deleted");
    answers[0]!(undefined);
    expect(await second).toBe("being deleted");
    expect(await first).toBe("being deleted");
    expect(await w.checkNow()).toBe("being deleted");
  });
});
