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
      hosts: [],
      toPod: [],
      fromPod: [],
      containerToHost: [],
      redirectPort: 15001,
      udpPort: 15001,
      udpIdleMs: 30_000,
    });
  });

  it("round-trips through the environment variable", () => {
    const env = sidecarConfigToEnv({
      expose: [{ localPort: 8080, remotePort: 80 }],
      alsoProxy: ["DB.example.internal", "10.2.0.0/16"],
      neverProxy: ["192.168.0.0/16"],
      toPod: [5432],
      fromPod: [9090],
      containerToHost: [{ containerPort: 3000, hostPort: 3001 }],
    });
    expect(JSON.parse(env[sidecarConfigEnv]!)).toMatchObject({ v: 1 });
    const config = parseSidecarConfig(env[sidecarConfigEnv]);
    expect(config.expose).toEqual([{ localPort: 8080, remotePort: 80 }]);
    expect(config.alsoProxy).toEqual(["db.example.internal", "10.2.0.0/16"]);
    expect(config.neverProxy).toEqual(["192.168.0.0/16"]);
    expect(config.toPod).toEqual([5432]);
    expect(config.fromPod).toEqual([9090]);
    expect(config.containerToHost).toEqual([{ containerPort: 3000, hostPort: 3001 }]);
  });

  it("reads a config written without a version, or with version 1", () => {
    expect(parseSidecarConfig(JSON.stringify({ toPod: [5432] })).toPod).toEqual([5432]);
    expect(parseSidecarConfig(JSON.stringify({ v: 1, toPod: [5432] })).toPod).toEqual([5432]);
  });

  it.each([
    [{ expose: [{ localPort: 0, remotePort: 80 }] }, "expose[0].localPort must be a port number (1-65535)"],
    [{ expose: [{ localPort: 80 }] }, "expose[0].remotePort must be a port number (1-65535)"],
    [{ expose: [8080] }, "expose[0] must be an object"],
    [{ toPod: [1.5] }, "toPod[0] must be a port number (1-65535)"],
    [{ fromPod: ["80"] }, "fromPod[0] must be a port number (1-65535)"],
    [{ redirectPort: 70000 }, "redirectPort must be a port number (1-65535)"],
    [{ toPod: 5432 }, "toPod must be an array"],
    [{ neverProxy: ["example.com"] }, "neverProxy[0] must be an IPv4 address or CIDR"],
    [{ neverProxy: [7] }, "neverProxy[0] must be a string"],
    [{ alsoProxy: ["10.0.0.0/33"] }, "alsoProxy[0] must be a host name, an IPv4 address or a CIDR"],
    [{ toPod: [53] }, "toPod/containerToHost port 53 is used by the sidecar itself"],
    [{ toPod: [15001] }, "toPod/containerToHost port 15001 is used by the sidecar itself"],
    [
      { toPod: [5432], containerToHost: [{ containerPort: 5432, hostPort: 1 }] },
      "toPod/containerToHost local port 5432 is listed twice",
    ],
    [{ exposes: [] }, "exposes is not a known field"],
    [{ v: 2 }, "v must be 1 (written by another version of tp)"],
    [[], "must be an object"],
    [null, "must be an object"],
  ])("refuses %j", (value, message) => {
    expect(() => validateSidecarConfig(value)).toThrow(`sidecar config: ${message}`);
    try {
      validateSidecarConfig(value);
    } catch (err) {
      expect((err as Error).message).toBe(`sidecar config: ${message}`);
      expect(err).toMatchObject({ code: "config" });
    }
  });

  it("says when the variable is not JSON", () => {
    expect(() => parseSidecarConfig("{nope")).toThrow(`${sidecarConfigEnv} is not valid JSON`);
  });
});
