import { describe, expect, it } from "vitest";
import { Progress } from "./progress.js";

/** A terminal stream as Node makes it, `columns` wide, keeping what is written. */
function terminal(columns: number) {
  const out: string[] = [];
  const stream = { isTTY: true, columns, write: (t: string) => (out.push(t), true) };
  return { stream: stream as unknown as NodeJS.WriteStream, out };
}

describe("Progress on a terminal", () => {
  it("writes plain lines where the terminal has no width (a pseudo-terminal of size 0x0)", () => {
    // A spinner measures its lines by the width: with 0 columns it never ended its redraw.
    const { stream, out } = terminal(0);
    const done = new Progress("text", stream).step("starting proxy pod");
    done("proxy pod ready");
    expect(out.join("")).toMatch(/^- starting proxy pod\n✔ proxy pod ready \(\d+\.\d s\)\n$/);
  });
});

describe("Progress with a spinner", () => {
  it("draws steps under way as one spinner, and nothing once the terminal is handed over", async () => {
    const { stream, out } = terminal(100);
    Object.assign(stream, { cursorTo: () => true, moveCursor: () => true, clearLine: () => true });
    const progress = new Progress("text", stream);
    const pod = progress.step("starting proxy pod");
    const sidecar = progress.step("starting the local sidecar");
    await new Promise((r) => setTimeout(r, 200));
    sidecar("sidecar ready");
    progress.handOver();
    pod("proxy pod ready");
    await new Promise((r) => setTimeout(r, 200));
    const text = out.join("");
    // One spinner for both (ora warns of concurrent spinners otherwise).
    expect(text).toContain("starting proxy pod · starting the local sidecar");
    expect(text).not.toContain("concurrent spinners");
    expect(text).toContain("✔\u001b[39m sidecar ready");
    // Ended after the hand-over: not drawn over the program's screen.
    expect(text).not.toContain("proxy pod ready");
    const after = text.slice(text.indexOf("sidecar ready"));
    expect(after).not.toContain("starting proxy pod");
  });
});
