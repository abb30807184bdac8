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
