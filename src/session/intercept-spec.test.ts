import { describe, expect, it } from "vitest";
import { interceptOf } from "./intercept-spec.js";

describe("--intercept and its filters", () => {
  it("reads the workload, the Service, the headers (names lowercased) and the path", () => {
    expect(
      interceptOf({
        intercept: "statefulset/db:app",
        service: "db-http",
        httpHeader: ["X-Dev=alice=1", "x-team="],
        httpPath: "/api",
        mirror: true,
      }),
    ).toEqual({
      kind: "intercept",
      type: "statefulset",
      name: "db",
      container: "app",
      service: "db-http",
      filter: { headers: { "x-dev": "alice=1", "x-team": "" }, pathPrefix: "/api" },
      mirror: true,
    });
    expect(interceptOf({ intercept: "web" })).toEqual({
      kind: "intercept",
      name: "web",
      filter: { headers: {} },
      mirror: false,
    });
    expect(interceptOf({})).toBeUndefined();
  });

  it.each([
    [{ swap: "web", mirror: true }, "--mirror goes with --intercept, not --swap-deployment"],
    [{ intercept: "web", httpHeader: ["x-dev"] }, "--http-header x-dev: expected KEY=VALUE"],
    [{ intercept: "web", httpHeader: ["=a"] }, "--http-header =a: expected KEY=VALUE"],
    [{ intercept: "web", httpHeader: ["x dev=a"] }, '"x dev" is not an HTTP header name'],
    [{ intercept: "web", httpPath: "api" }, "--http-path api: expected a path prefix starting with /"],
    [{ httpHeader: ["a=b"], service: "s" }, "--service, --http-header go with --intercept"],
    [{ mirror: true }, "--mirror goes with --intercept"],
  ])("refuses %j as a usage error", (flags, message) => {
    expect(() => interceptOf(flags)).toThrow(message);
    try {
      interceptOf(flags);
    } catch (err) {
      expect((err as { exitCode: number }).exitCode).toBe(2);
    }
  });
});
