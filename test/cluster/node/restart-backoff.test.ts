import { describe, expect, it } from "vitest";
import { RestartBackoff } from "./restart-backoff.js";

describe("RestartBackoff", () => {
  it("restarts at once, then waits 10 s, 20 s, ... up to 300 s", () => {
    const b = new RestartBackoff();
    expect(b.next("c", 0)).toBeUndefined();
    expect(b.next("c", 1000)).toEqual({ delaySeconds: 10, waitMs: 9000 });
    expect(b.next("c", 10_000)).toBeUndefined();
    expect(b.next("c", 10_001)).toEqual({ delaySeconds: 20, waitMs: 19_999 });
    let t = 30_000;
    for (let i = 0; i < 10; i++) {
      b.next("c", t);
      t += 400_000;
    }
    expect(b.next("c", t - 399_999)?.delaySeconds).toBe(300);
  });
});
