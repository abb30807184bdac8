import { describe, expect, it } from "vitest";
import { matchesFields, parseFieldSelector } from "./field-selector.js";
import {
  matchesRequirements,
  matchesSelector,
  parseLabelSelector,
  selectorString,
} from "./label-selector.js";

const labels = { app: "web", tier: "front", version: "3" };
const match = (s: string): boolean => matchesRequirements(parseLabelSelector(s), labels);

describe("label selectors", () => {
  it("supports every operator of the string form", () => {
    expect(match("app=web")).toBe(true);
    expect(match("app==web,tier=front")).toBe(true);
    expect(match("app!=web")).toBe(false);
    expect(match("app in (web, db)")).toBe(true);
    expect(match("app notin (web)")).toBe(false);
    expect(match("tier")).toBe(true);
    expect(match("!tier")).toBe(false);
    expect(match("!missing,missing!=x")).toBe(true);
    expect(match("version>2,version<4")).toBe(true);
    expect(match("")).toBe(true);
    expect(() => parseLabelSelector("app in web")).toThrow();
  });

  it("matches LabelSelector objects and prints them", () => {
    const sel = {
      matchLabels: { app: "web" },
      matchExpressions: [{ key: "tier", operator: "In", values: ["front", "back"] }],
    };
    expect(matchesSelector(sel, labels)).toBe(true);
    expect(matchesSelector({ matchExpressions: [{ key: "tier", operator: "DoesNotExist" }] }, labels)).toBe(
      false,
    );
    expect(selectorString(sel)).toBe("app=web,tier in (front,back)");
  });
});

describe("field selectors", () => {
  const pod = {
    metadata: { name: "p", namespace: "n" },
    spec: { nodeName: "tp-test-node" },
    status: { phase: "Running" },
  };

  it("matches supported fields and rejects others as a real server does", () => {
    const allowed = ["metadata.name", "metadata.namespace", "spec.nodeName", "status.phase"];
    expect(
      matchesFields(parseFieldSelector("status.phase=Running,spec.nodeName==tp-test-node", allowed), pod),
    ).toBe(true);
    expect(matchesFields(parseFieldSelector("metadata.name!=p", allowed), pod)).toBe(false);
    expect(matchesFields(parseFieldSelector("spec.nodeName=", allowed), { metadata: {} })).toBe(true);
    expect(() => parseFieldSelector("spec.image=x", allowed)).toThrow(
      "field label not supported: spec.image",
    );
  });
});
