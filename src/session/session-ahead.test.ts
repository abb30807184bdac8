import { describe, expect, it } from "vitest";
import type { UserContainerOptions } from "../docker/user-container.js";
import { aheadDifferences } from "./session-ahead.js";

const made: UserContainerOptions = {
  sessionId: "s1",
  sidecar: "tp-s1-sidecar",
  env: { A: "1", SECRET: "x" },
  mounts: ["/tmp/v/a.tar:/var/run/secrets:ro"],
  run: { image: "busybox", args: [], env: [], labels: [], volumes: [], publish: [] } as never,
  labels: { l: "1" },
};

describe("aheadDifferences", () => {
  it("is nothing when the container made ahead is the one the session asks for", () => {
    expect(aheadDifferences(made, structuredClone(made))).toBeUndefined();
  });
  it("names env variables (not their values) and mounts that differ", () => {
    const now = { ...made, env: { A: "1", SECRET: "y", B: "" }, mounts: [] };
    const found = aheadDifferences(made, now);
    expect(found).toBe("env SECRET, B; mounts");
    expect(found).not.toContain("y");
    expect(aheadDifferences(made, { ...made, env: { A: "1" } })).toBe("env SECRET");
  });
});
