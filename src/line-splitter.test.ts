import { describe, expect, it } from "vitest";
import { LineSplitter } from "./line-splitter.js";

describe("LineSplitter", () => {
  it("hands on whole lines and keeps the rest", () => {
    const s = new LineSplitter(100);
    expect(s.push("a\nb")).toEqual(["a"]);
    expect(s.push("c\n\nd")).toEqual(["bc", ""]);
    expect(s.end()).toBe("d");
  });

  it("never holds more than its limit of a line that does not end", () => {
    const s = new LineSplitter(4);
    expect(s.push("abcdefghij")).toEqual(["abcd", "efgh"]);
    expect(s.end()).toBe("ij");
  });
});
