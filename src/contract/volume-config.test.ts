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
    expect(parseVolumesConfig(volumesConfigToEnv(config!)[volumesConfigEnv])).toEqual(config);
    expect(parseVolumesConfig(undefined)).toBeUndefined();
  });

  it("refuses a relative mount path, a negative owner and a missing field", () => {
    const base = { volumes: [spec], uid: 1000, gid: 1000, limitBytes: 10 };
    expect(() =>
      parseVolumesConfig(JSON.stringify({ ...base, volumes: [{ ...spec, path: "etc" }] })),
    ).toThrow();
    expect(() => parseVolumesConfig(JSON.stringify({ ...base, uid: -1 }))).toThrow();
    expect(() => parseVolumesConfig(JSON.stringify({ ...base, uid: 1.5 }))).toThrow();
    expect(() => parseVolumesConfig(JSON.stringify({ volumes: [spec] }))).toThrow();
  });
});
