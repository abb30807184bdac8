import { describe, expect, it } from "vitest";
import {
  parseSidecarConfig,
  sidecarConfigEnv,
  sidecarConfigToEnv,
  validateSidecarConfig,
} from "./sidecar-config.js";

describe("sidecar config", () => {
  it("fills in defaults for an empty config", () => {
    expect(parseSidecarConfig(undefined)).toEqual({
      expose: [],
      alsoProxy: [],
      neverProxy: [],
      toPod: [],
      fromPod: [],
      containerToHost: [],
      redirectPort: 15001,
    });
  });

  it("round-trips through the environment variable", () => {
    const env = sidecarConfigToEnv({
      expose: [{ localPort: 8080, remotePort: 80 }],
      alsoProxy: ["db.example.internal", "10.2.0.0/16"],
      neverProxy: ["192.168.0.0/16"],
      toPod: [5432],
      fromPod: [9090],
      containerToHost: [{ containerPort: 3000, hostPort: 3001 }],
    });
    const config = parseSidecarConfig(env[sidecarConfigEnv]);
    expect(config.expose).toEqual([{ localPort: 8080, remotePort: 80 }]);
    expect(config.alsoProxy).toEqual(["db.example.internal", "10.2.0.0/16"]);
    expect(config.containerToHost).toEqual([{ containerPort: 3000, hostPort: 3001 }]);
  });

  it.each([
    [{ expose: [{ localPort: 0, remotePort: 80 }] }, "expose[0].localPort must be a port number"],
    [{ neverProxy: ["example.com"] }, "neverProxy[0] must be an IPv4 address or CIDR"],
    [{ alsoProxy: ["10.0.0.0/33"] }, "alsoProxy[0] must be a host name"],
    [{ toPod: [53] }, "port 53 is used by the sidecar itself"],
    [
      { toPod: [5432], containerToHost: [{ containerPort: 5432, hostPort: 1 }] },
      "local port 5432 is listed twice",
    ],
    [{ exposes: [] }, "exposes is not a known field"],
    [[], "must be an object"],
  ])("refuses %j", (value, message) => {
    expect(() => validateSidecarConfig(value)).toThrow(message);
  });

  it("says when the variable is not JSON", () => {
    expect(() => parseSidecarConfig("{nope")).toThrow(`${sidecarConfigEnv} is not valid JSON`);
  });
});
