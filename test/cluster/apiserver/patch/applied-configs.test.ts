import { describe, expect, it } from "vitest";
import { removals } from "./applied-configs.js";
import { strategicMergePatch } from "./strategic-merge-patch.js";

describe("server-side apply removals", () => {
  it("removes what the manager applied before and no longer applies", () => {
    const prev = { data: { a: "1", b: "2" }, spec: { containers: [{ name: "x" }, { name: "y" }] } };
    const next = { data: { b: "3" }, spec: { containers: [{ name: "y" }] } };
    const r = removals(prev, next, "Pod");
    expect(r).toEqual({ data: { a: null }, spec: { containers: [{ name: "x", $patch: "delete" }] } });
    const live = {
      data: { a: "1", b: "2", other: "kept" },
      spec: { containers: [{ name: "x" }, { name: "y" }] },
    };
    const effective = strategicMergePatch(r, next, "Pod");
    expect(strategicMergePatch(live, effective, "Pod")).toEqual({
      data: { b: "3", other: "kept" },
      spec: { containers: [{ name: "y" }] },
    });
  });
});
