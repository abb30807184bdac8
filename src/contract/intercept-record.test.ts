import { describe, expect, it } from "vitest";
import * as z from "zod/mini";
import { readIntercepts, routerPodName, shadowServiceName, writeIntercepts } from "./intercept-record.js";

const entry = {
  filter: { headers: { "x-dev": "a" } },
  mirror: false,
  workload: "deployment/web",
  since: "t",
};

describe("the intercepts annotation", () => {
  it("keeps an entry it cannot read when it writes the others back", () => {
    const read = readIntercepts(JSON.stringify({ a: entry, b: { from: "a newer tp" } }));
    expect(read.entries).toEqual({ a: entry });
    expect(JSON.parse(writeIntercepts({}, read.unreadable) ?? "")).toEqual({ b: { from: "a newer tp" } });
    expect(writeIntercepts({})).toBeUndefined();
    expect(readIntercepts("not json")).toEqual({ entries: {}, unreadable: {} });
  });

  it("keeps `leaving` through a rewrite, and its entries stay readable by a tp without the field (and the other way)", () => {
    const leaving = { ...entry, leaving: true };
    const read = readIntercepts(JSON.stringify({ a: leaving, b: entry }));
    expect(read.entries).toEqual({ a: leaving, b: entry });
    expect(read.unreadable).toEqual({});
    expect(JSON.parse(writeIntercepts(read.entries) ?? "")).toEqual({ a: leaving, b: entry });
    // The entry's schema of a tp from before the field: unknown keys are dropped, not refused.
    const older = z.object({
      filter: z.object({ headers: z.record(z.string(), z.string()), pathPrefix: z.optional(z.string()) }),
      mirror: z.boolean(),
      workload: z.string(),
      since: z.string(),
    });
    expect(older.safeParse(leaving)).toEqual({ success: true, data: entry });
  });

  it("names the router and the shadow Service within 63 characters, stably", () => {
    expect(shadowServiceName("web")).toBe("tp-orig-web");
    expect(routerPodName("web")).toBe("tp-router-web");
    const long = "a".repeat(60);
    expect(shadowServiceName(long)).toHaveLength(63);
    expect(shadowServiceName(long)).toBe(shadowServiceName(long));
    expect(shadowServiceName(long)).not.toBe(shadowServiceName(`${"a".repeat(59)}b`));
  });
});
