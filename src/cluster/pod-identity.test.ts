import { describe, expect, it } from "vitest";
import { podIdentity, selectorText } from "./pod-identity.js";
import type { FoundWorkload } from "./workloads.js";

const deployment = (spec: Record<string, unknown>): FoundWorkload =>
  ({
    ref: { group: "apps", version: "v1", resource: "deployments", kind: "Deployment", name: "db" },
    object: { spec: { selector: { matchLabels: { app: "db" } }, template: {}, ...spec } },
  }) as unknown as FoundWorkload;

describe("selectorText", () => {
  it("writes labels and every operator as the labelSelector parameter takes them", () => {
    expect(
      selectorText({
        matchLabels: { app: "db", tier: "data" },
        matchExpressions: [
          { key: "env", operator: "In", values: ["dev", "qa"] },
          { key: "zone", operator: "NotIn", values: ["x"] },
          { key: "owner", operator: "Exists" },
          { key: "legacy", operator: "DoesNotExist" },
        ],
      }),
    ).toBe("app=db,tier=data,env in (dev,qa),zone notin (x),owner,!legacy");
  });
});

describe("podIdentity of a Deployment", () => {
  it("has its pods go first where its strategy is Recreate, and none otherwise", () => {
    expect(podIdentity(deployment({ strategy: { type: "Recreate" } }), undefined)).toMatchObject({
      exclusive: true,
      selector: "app=db",
    });
    expect(podIdentity(deployment({ strategy: { type: "RollingUpdate" } }), undefined)).toBeUndefined();
    expect(podIdentity(deployment({}), undefined)).toBeUndefined();
  });
});
