import { describe, expect, it } from "vitest";
import { wardenPlanFor, wardenRules } from "./warden.js";

describe("the warden's Role", () => {
  it("lets it remove an intercept of its plan: the Service read and patched, the router and shadow deleted", () => {
    const plan = wardenPlanFor("abc", "ns", "tp-session-abc", {
      deleteDeployments: [],
      deleteServices: [],
      deletePods: ["web-tp-abc"],
      intercept: { service: "web" },
    });
    const rules = wardenRules(plan);
    expect(rules).toContainEqual({
      apiGroups: [""],
      resources: ["services"],
      verbs: ["get", "patch"],
      resourceNames: ["web"],
    });
    expect(rules).toContainEqual({
      apiGroups: [""],
      resources: ["services"],
      verbs: ["delete"],
      resourceNames: ["tp-orig-web"],
    });
    expect(rules).toContainEqual({
      apiGroups: [""],
      resources: ["pods"],
      verbs: ["delete"],
      resourceNames: ["tp-router-web"],
    });
    expect(
      wardenRules({ ...plan, intercept: undefined }).some((r) => r.resources?.includes("services")),
    ).toBe(false);
  });
});
