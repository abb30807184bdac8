import { describe, expect, it } from "vitest";
import {
  controlLine,
  describeFilter,
  isFilterless,
  parseInterceptFilter,
  parseRouterRegistration,
  readControlAnswer,
  readControlRequest,
  routerRegistrationToEnv,
  sameFilter,
  type RouterRegistration,
} from "./router-control.js";

const registration: RouterRegistration = {
  router: { host: "10.1.2.3", port: 7471 },
  sessionId: "abc123",
  filter: { headers: { "x-user": "alice" }, pathPrefix: "/api" },
  mirror: false,
};

describe("the router registration", () => {
  it("survives the round trip through the proxy's environment, with its version", () => {
    const { name, value } = routerRegistrationToEnv(registration);
    expect(name).toBe("TP_ROUTER_REGISTRATION");
    expect(JSON.parse(value)).toMatchObject({ v: 1 });
    expect(parseRouterRegistration(value)).toEqual(registration);
  });

  it("is absent when the variable is", () => {
    expect(parseRouterRegistration(undefined)).toBeUndefined();
    expect(parseRouterRegistration("")).toBeUndefined();
  });

  it.each([
    ["not JSON", "{", "TP_ROUTER_REGISTRATION is not valid JSON"],
    ["another version", { ...registration, v: 2 }, "TP_ROUTER_REGISTRATION: v must be 1"],
    ["no router", { ...registration, router: undefined }, "TP_ROUTER_REGISTRATION: router must be an object"],
    [
      "a path that is not absolute",
      { ...registration, filter: { pathPrefix: "api" } },
      'TP_ROUTER_REGISTRATION: filter.pathPrefix must start with "/"',
    ],
    [
      "a header name with a space",
      { ...registration, filter: { headers: { "x user": "a" } } },
      "TP_ROUTER_REGISTRATION: filter.headers.x user must be an HTTP header name",
    ],
    [
      "no mirror",
      { ...registration, mirror: undefined },
      "TP_ROUTER_REGISTRATION: mirror must be true or false",
    ],
  ])("refuses %s", (_what, value, message) => {
    expect(() => parseRouterRegistration(typeof value === "string" ? value : JSON.stringify(value))).toThrow(
      message,
    );
  });
});

describe("intercept filters", () => {
  it("lowercase header names and keep values exact", () => {
    expect(parseInterceptFilter({ headers: { "X-User": "Alice" } })).toEqual({
      headers: { "x-user": "Alice" },
    });
  });

  it("are the same whatever the case and order of their header names", () => {
    const a = parseInterceptFilter({ headers: { "X-A": "1", "x-b": "2" } });
    const b = parseInterceptFilter({ headers: { "x-b": "2", "x-a": "1" } });
    expect(sameFilter(a, b)).toBe(true);
    expect(sameFilter(a, parseInterceptFilter({ headers: { "x-a": "1", "x-b": "3" } }))).toBe(false);
    expect(sameFilter(a, parseInterceptFilter({ headers: { "x-a": "1" } }))).toBe(false);
    expect(
      sameFilter(a, parseInterceptFilter({ headers: { "x-a": "1", "x-b": "2" }, pathPrefix: "/" })),
    ).toBe(false);
  });

  it("take everything when empty, and say so", () => {
    expect(isFilterless(parseInterceptFilter(undefined))).toBe(true);
    expect(isFilterless(parseInterceptFilter({ pathPrefix: "/" }))).toBe(false);
    expect(describeFilter(parseInterceptFilter({}))).toBe("all traffic");
    expect(describeFilter(parseInterceptFilter({ headers: { "X-User": "bob" }, pathPrefix: "/api" }))).toBe(
      "x-user=bob path=/api*",
    );
  });

  it("are refused with the code asked for", () => {
    expect(() => parseInterceptFilter({ headers: { "a b": "1" } }, "--http-header", "usage")).toThrow(
      expect.objectContaining({
        code: "usage",
        message: "--http-header: headers.a b must be an HTTP header name",
      }),
    );
  });
});

describe("control lines", () => {
  it("carry a registration, with its version, and the router's answers", () => {
    const line = controlLine({
      type: "register",
      sessionId: "s1",
      filter: { headers: {} },
      mirror: true,
      target: { host: "10.0.0.9" },
    });
    expect(line.endsWith("\n")).toBe(true);
    expect(JSON.parse(line)).toMatchObject({ v: 1, type: "register" });
    expect(readControlRequest(line.trim())).toEqual({
      message: {
        v: 1,
        type: "register",
        sessionId: "s1",
        filter: { headers: {} },
        mirror: true,
        target: { host: "10.0.0.9" },
      },
    });
    expect(readControlRequest(controlLine({ type: "tunnel", up: false }).trim())).toEqual({
      message: { type: "tunnel", up: false },
    });
    expect(readControlAnswer(controlLine({ type: "refused", reason: "taken" }).trim())).toEqual({
      message: { type: "refused", reason: "taken" },
    });
  });

  it("refuse what is not a known message", () => {
    expect(readControlRequest('{"type":"hello"}')).toMatchObject({ refused: "type is not a known kind" });
    expect(readControlRequest("nope")).toMatchObject({ refused: "not JSON" });
    expect(readControlRequest('{"type":"register","sessionId":"s"}')).toHaveProperty("refused");
    expect(readControlAnswer('{"type":"registered"}')).toEqual({ message: { type: "registered" } });
  });
});
