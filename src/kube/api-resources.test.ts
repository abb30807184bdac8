import { describe, expect, it } from "vitest";
import { findApiResource, scalable, type ApiResource } from "./api-resources.js";

const r = (
  group: string,
  version: string,
  resource: string,
  kind: string,
  extra: Partial<ApiResource> = {},
) => ({
  group,
  version,
  resource,
  kind,
  singular: kind.toLowerCase(),
  shortNames: [],
  namespaced: true,
  subresources: [],
  ...extra,
});

const resources: ApiResource[] = [
  r("", "v1", "services", "Service", { shortNames: ["svc"] }),
  r("", "v1", "replicationcontrollers", "ReplicationController", {
    shortNames: ["rc"],
    subresources: ["scale"],
  }),
  r("apps", "v1", "deployments", "Deployment", { shortNames: ["deploy"], subresources: ["scale", "status"] }),
  r("apps", "v1", "statefulsets", "StatefulSet", { shortNames: ["sts"], subresources: ["scale"] }),
  r("example.com", "v2", "widgets", "Widget", { subresources: ["scale"] }),
  r("example.com", "v1", "widgets", "Widget", { subresources: ["scale"] }),
  r("other.io", "v1", "widgets", "Widget"),
];

describe("findApiResource", () => {
  it("finds a resource by plural, singular, short name or kind, any case", () => {
    for (const t of ["statefulsets", "statefulset", "sts", "StatefulSet", "STS"])
      expect(findApiResource(resources, t)?.resource, t).toBe("statefulsets");
  });

  it("takes resource.group and resource.version.group", () => {
    expect(findApiResource(resources, "widgets.other.io")?.group).toBe("other.io");
    expect(findApiResource(resources, "widget.example.com")).toMatchObject({
      group: "example.com",
      version: "v2",
    });
    expect(findApiResource(resources, "widgets.v1.example.com")).toMatchObject({
      group: "example.com",
      version: "v1",
    });
    expect(findApiResource(resources, "deployments.apps")?.kind).toBe("Deployment");
  });

  it("prefers the group listed first and its preferred version", () => {
    expect(findApiResource(resources, "widgets")).toMatchObject({ group: "example.com", version: "v2" });
  });

  it("finds nothing for an unknown type or a wrong group", () => {
    expect(findApiResource(resources, "nosuchkind")).toBeUndefined();
    expect(findApiResource(resources, "statefulsets.example.com")).toBeUndefined();
  });

  it("lists the namespaced resources with a scale subresource once each", () => {
    expect(scalable(resources).map((x) => `${x.resource}.${x.group}`)).toEqual([
      "replicationcontrollers.",
      "deployments.apps",
      "statefulsets.apps",
      "widgets.example.com",
    ]);
  });
});
