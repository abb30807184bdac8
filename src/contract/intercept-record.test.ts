import { describe, expect, it } from "vitest";
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

  it("names the router and the shadow Service within 63 characters, stably", () => {
    expect(shadowServiceName("web")).toBe("tp-orig-web");
    expect(routerPodName("web")).toBe("tp-router-web");
    const long = "a".repeat(60);
    expect(shadowServiceName(long)).toHaveLength(63);
    expect(shadowServiceName(long)).toBe(shadowServiceName(long));
    expect(shadowServiceName(long)).not.toBe(shadowServiceName(`${"a".repeat(59)}b`));
  });
});
