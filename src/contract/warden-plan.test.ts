import { describe, expect, it } from "vitest";
import { parseWardenPlan, wardenPlanToEnv, type WardenPlan } from "./warden-plan.js";

const plan: WardenPlan = {
  sessionId: "abc123",
  namespace: "default",
  lease: "tp-session-abc123",
  restore: {
    workload: { group: "apps", version: "v1", resource: "statefulsets", kind: "StatefulSet", name: "db" },
    proxyFirst: true,
  },
  deleteDeployments: [],
  deleteServices: ["web-tp"],
  deletePods: ["web-tp-proxy"],
  self: { pod: "tp-warden-abc123", serviceAccount: "w", role: "w", roleBinding: "w" },
};

describe("the warden plan", () => {
  it("survives the round trip through the warden's environment, with its version", () => {
    const { name, value } = wardenPlanToEnv(plan);
    expect(name).toBe("TP_WARDEN_PLAN");
    expect(JSON.parse(value)).toMatchObject({ v: 3 });
    expect(parseWardenPlan(value)).toEqual(plan);
  });

  it("carries an intercepted Service", () => {
    const withIntercept = { ...plan, restore: undefined, intercept: { service: "web" } };
    const { restore: _r, ...expected } = withIntercept;
    expect(parseWardenPlan(wardenPlanToEnv(withIntercept).value)).toEqual(expected);
  });

  it("still reads a version 2 plan, written by the tp before intercepts", () => {
    expect(parseWardenPlan(JSON.stringify({ ...plan, v: 2 }))).toEqual(plan);
  });

  it.each([
    ["no plan", undefined, "TP_WARDEN_PLAN is not set"],
    ["not JSON", "{", "TP_WARDEN_PLAN is not valid JSON"],
    [
      "another version",
      { ...plan, v: 4 },
      "TP_WARDEN_PLAN: v must be 2 or 3 (written by another version of tp)",
    ],
    [
      "a workload without its resource",
      { ...plan, v: 2, restore: { workload: { name: "db" }, proxyFirst: true } },
      "TP_WARDEN_PLAN: restore.workload",
    ],
    [
      "a missing lease",
      { ...plan, lease: undefined },
      "TP_WARDEN_PLAN: lease must be a string (it is missing)",
    ],
    [
      "an empty name",
      { ...plan, deletePods: [""] },
      "TP_WARDEN_PLAN: deletePods[0] must have at least 1 character",
    ],
    [
      "a list that is not one",
      { ...plan, deleteServices: "web" },
      "TP_WARDEN_PLAN: deleteServices must be an array",
    ],
    [
      "its own objects missing",
      { ...plan, self: undefined },
      "TP_WARDEN_PLAN: self must be an object (it is missing)",
    ],
  ])("refuses %s", (_what, value, message) => {
    const text = value === undefined || typeof value === "string" ? value : JSON.stringify(value);
    expect(() => parseWardenPlan(text)).toThrow(message);
  });
});
