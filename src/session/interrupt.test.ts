import { afterEach, describe, expect, it } from "vitest";
import { Interrupt } from "./interrupt.js";

describe("Interrupt", () => {
  let interrupt: Interrupt | undefined;
  afterEach(() => interrupt?.dispose());

  it("tells a listener of a signal that comes after it listens, once", () => {
    interrupt = new Interrupt();
    const heard: string[] = [];
    interrupt.onSignal((s) => heard.push(s));
    interrupt.raise("SIGTERM");
    interrupt.raise("SIGINT");
    expect(heard).toEqual(["SIGTERM"]);
    expect(interrupt.exitCode).toBe(143);
  });

  it("again() resolves at the next signal after the first, not at the first", async () => {
    interrupt = new Interrupt();
    let again = false;
    const waited = interrupt.again().then(() => (again = true));
    interrupt.raise("SIGINT");
    await new Promise((r) => setTimeout(r, 0));
    expect(again).toBe(false);
    interrupt.raise("SIGINT");
    await waited;
    expect(interrupt.signal).toBe("SIGINT");
    // Asked for after the second came: at once.
    await interrupt.again();
  });

  it("tells a listener set after the signal came at once (a late listener is not left deaf)", () => {
    interrupt = new Interrupt();
    interrupt.raise("SIGINT");
    const heard: string[] = [];
    interrupt.onSignal((s) => heard.push(s));
    expect(heard).toEqual(["SIGINT"]);
    interrupt.raise("SIGINT");
    expect(heard).toEqual(["SIGINT"]);
  });

  it("leaves a signal to a child that owns it (an interactive shell's Ctrl-C), and still hears the others", () => {
    interrupt = new Interrupt();
    const heard: string[] = [];
    interrupt.onSignal((s) => heard.push(s));
    interrupt.leaveToChild("SIGINT");
    interrupt.raise("SIGINT");
    expect(interrupt.signal).toBeUndefined();
    interrupt.raise("SIGTERM");
    expect(heard).toEqual(["SIGTERM"]);
    expect(interrupt.exitCode).toBe(143);
  });

  it("rejects a race begun after the signal", async () => {
    interrupt = new Interrupt();
    interrupt.raise("SIGINT");
    await expect(interrupt.race(new Promise(() => undefined))).rejects.toThrow(/interrupted by SIGINT/);
  });
});
