import { describe, expect, it } from "vitest";
import { parseVolumesConfig, volumesConfigToEnv, volumesConfigEnv } from "./volume-config.js";

const spec = { path: "/etc/config", name: "config", readOnly: true, ownerOnly: false };

describe("the sidecar's volumes configuration", () => {
  it("fills in the defaults and survives the round trip through the environment", () => {
    const config = parseVolumesConfig(
      JSON.stringify({ volumes: [spec], uid: 1000, gid: 1000, limitBytes: 10 }),
    );
    expect(config).toEqual({
      root: "/tp/volumes",
      volumes: [{ ...spec, bounded: false }],
      uid: 1000,
      gid: 1000,
      limitBytes: 10,
      rescanMs: 2000,
      hostCopy: false,
    });
    const env = volumesConfigToEnv(config!)[volumesConfigEnv]!;
    expect(JSON.parse(env)).toMatchObject({ v: 1 });
    expect(parseVolumesConfig(env)).toEqual(config);
    expect(parseVolumesConfig(undefined)).toBeUndefined();
  });

  const base = { volumes: [spec], uid: 1000, gid: 1000, limitBytes: 10 };
  it.each([
    [
      "a relative mount path",
      { ...base, volumes: [{ ...spec, path: "etc" }] },
      /^TP_VOLUMES_CONFIG: volumes\[0\]\.path /,
    ],
    ["a negative owner", { ...base, uid: -1 }, /^TP_VOLUMES_CONFIG: uid /],
    ["a fractional owner", { ...base, gid: 1.5 }, /^TP_VOLUMES_CONFIG: gid /],
    ["a missing field", { volumes: [spec] }, /^TP_VOLUMES_CONFIG: uid /],
    [
      "another version",
      { ...base, v: 2 },
      "TP_VOLUMES_CONFIG: v must be 1 (written by another version of tp)",
    ],
  ])("refuses %s", (_what, value, message) => {
    expect(() => parseVolumesConfig(JSON.stringify(value))).toThrow(message);
  });

  it("says when the variable is not JSON", () => {
    expect(() => parseVolumesConfig("{")).toThrow("TP_VOLUMES_CONFIG is not valid JSON");
  });
});
