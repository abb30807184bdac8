import { describe, expect, it, vi } from "vitest";
import { collectGarbage, exposeGc } from "./collect-garbage.js";

describe("collectGarbage", () => {
  it("collects what nothing holds in a Node started without --expose-gc", async () => {
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
    let held: object | undefined = { payload: Buffer.alloc(1024) };
    const ref = new WeakRef(held);
    held = undefined;
    // A WeakRef keeps its target for the rest of the job that made it.
    await new Promise((resolve) => setTimeout(resolve, 0));
    collectGarbage();
    expect(ref.deref()).toBeUndefined();
  });

  it("uses the global gc where there is one, and does nothing where none can be had", () => {
    const global = globalThis as { gc?: () => void };
    const own = vi.fn();
    global.gc = own;
    try {
      expect(exposeGc(() => undefined)).toBe(own);
    } finally {
      delete global.gc;
    }
    const none = exposeGc(() => {
      throw new ReferenceError("gc is not defined");
    });
    expect(none()).toBeUndefined();
    expect(exposeGc(() => "not a function")()).toBeUndefined();
  });
});
