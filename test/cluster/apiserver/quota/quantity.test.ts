import { describe, expect, it } from "vitest";
import { addQuantity, formatQuantity, parseQuantity, zeroQuantity } from "./quantity.js";

const canonical = (s: string) => {
  const q = parseQuantity(s);
  return q ? formatQuantity(q) : "invalid";
};

describe("resource quantities", () => {
  it("print in resource.Quantity's canonical form", () => {
    const cases: [string, string][] = [
      ["500m", "500m"],
      ["0.5", "500m"],
      ["1.5", "1500m"],
      ["2000m", "2"],
      ["1000", "1k"],
      ["512", "512"],
      ["100M", "100M"],
      ["0.1m", "100u"],
      ["1536Mi", "1536Mi"],
      ["1024Mi", "1Gi"],
      ["1.5Gi", "1536Mi"],
      ["0.5Gi", "512Mi"],
      ["1Ki", "1Ki"],
      ["1e3", "1e3"],
      ["0", "0"],
      ["-1", "-1"],
    ];
    for (const [text, want] of cases) expect(`${text} → ${canonical(text)}`).toBe(`${text} → ${want}`);
  });

  it("refuse what is not a quantity", () => {
    for (const text of ["", "abc", "1K", "1.2.3", "Mi", "1 Mi"]) expect(canonical(text)).toBe("invalid");
  });

  it("add in the left operand's format unless it is zero", () => {
    const q = (s: string) => parseQuantity(s)!;
    expect(formatQuantity(addQuantity(q("64Mi"), q("64Mi")))).toBe("128Mi");
    expect(formatQuantity(addQuantity(zeroQuantity(), q("64Mi")))).toBe("64Mi");
    expect(formatQuantity(addQuantity(q("500m"), q("1")))).toBe("1500m");
    expect(formatQuantity(addQuantity(q("100M"), q("64Mi")))).toBe("167108864");
  });
});
