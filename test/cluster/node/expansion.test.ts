import { describe, expect, it } from "vitest";
import { expand } from "./expansion.js";

describe("expand", () => {
  const env: Record<string, string> = { A: "1", B: "two" };
  const lookup = (n: string) => env[n];
  it("replaces known variables and keeps unknown ones", () => {
    expect(expand("x$(A)y$(B)z$(C)", lookup)).toBe("x1ytwoz$(C)");
  });
  it("treats $$ as an escaped dollar", () => {
    expect(expand("$$(A) $$ $x $", lookup)).toBe("$(A) $ $x $");
  });
  it("keeps an unterminated reference", () => {
    expect(expand("a$(B", lookup)).toBe("a$(B");
  });
});
