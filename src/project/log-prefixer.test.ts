import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { LinePrefixer } from "./log-prefixer.js";

describe("LinePrefixer", () => {
  it("prefixes whole lines and keeps a partial one for later", () => {
    const out = new PassThrough();
    const p = new LinePrefixer("a | ", out);
    p.write("one\ntw");
    p.write("o\n");
    p.flush();
    expect(String(out.read())).toBe("a | one\na | two\n");
  });

  it("does not hold output without a newline without bound", () => {
    const out = new PassThrough({ highWaterMark: 1 << 24 });
    const p = new LinePrefixer("a | ", out);
    const chunk = "x".repeat(64 * 1024);
    for (let i = 0; i < 32; i++) p.write(chunk);
    const written = String(out.read() ?? "");
    expect(written.length).toBeGreaterThan(31 * 64 * 1024);
    expect(written.startsWith("a | x")).toBe(true);
  });
});
