import { describe, expect, it } from "vitest";
import { parseRouterConfig, routerConfigToEnv, type RouterConfigInput } from "./router-config.js";

const config: RouterConfigInput = {
  service: "web",
  namespace: "default",
  ports: [
    { port: 8080, name: "http", upstream: { host: "tp-orig-web.default.svc", port: 80 } },
    { port: 6379, upstream: { host: "tp-orig-web.default.svc", port: 6379 }, http: "raw" },
  ],
};

describe("the router config", () => {
  it("survives the round trip through the router's environment, with its version and defaults", () => {
    const { name, value } = routerConfigToEnv(config);
    expect(name).toBe("TP_ROUTER_CONFIG");
    expect(JSON.parse(value)).toMatchObject({ v: 1 });
    const parsed = parseRouterConfig(value);
    expect(parsed.controlPort).toBe(7471);
    expect(parsed.ports[0]).toEqual({ ...config.ports[0], http: "auto" });
    expect(parsed.ports[1]?.http).toBe("raw");
    expect(parsed.service).toBe("web");
  });

  it("is refused when written wrong, before it reaches a pod", () => {
    expect(() => routerConfigToEnv({ ...config, ports: [] })).toThrow(
      "router config: ports must list at least one port",
    );
  });

  it.each([
    ["no config", undefined, "TP_ROUTER_CONFIG is not set"],
    ["not JSON", "{", "TP_ROUTER_CONFIG is not valid JSON"],
    [
      "another version",
      { ...config, v: 2 },
      "TP_ROUTER_CONFIG: v must be 1 (written by another version of tp)",
    ],
    ["a missing service", { ...config, service: undefined }, "TP_ROUTER_CONFIG: service must be a string"],
    [
      "a port out of range",
      { ...config, ports: [{ ...config.ports[0], port: 70000 }] },
      "TP_ROUTER_CONFIG: ports[0].port must be a port number (1-65535)",
    ],
    [
      "an unknown protocol",
      { ...config, ports: [{ ...config.ports[0], http: "h3" }] },
      'TP_ROUTER_CONFIG: ports[0].http must be "auto" or "raw"',
    ],
    [
      "a port without upstream",
      { ...config, ports: [{ port: 80 }] },
      "TP_ROUTER_CONFIG: ports[0].upstream must be an object",
    ],
    [
      "a port listed twice",
      { ...config, ports: [config.ports[0], config.ports[0]] },
      "TP_ROUTER_CONFIG: ports port 8080 is listed twice",
    ],
    [
      "a port that is the control port",
      { ...config, controlPort: 8080 },
      "TP_ROUTER_CONFIG: ports port 8080 is the control port",
    ],
    ["an unknown field", { ...config, extra: 1 }, "TP_ROUTER_CONFIG: extra is not a known field"],
  ])("refuses %s", (_what, value, message) => {
    const text = value === undefined || typeof value === "string" ? value : JSON.stringify(value);
    expect(() => parseRouterConfig(text)).toThrow(message);
  });
});
