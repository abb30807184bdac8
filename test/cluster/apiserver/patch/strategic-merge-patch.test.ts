import { describe, expect, it } from "vitest";
import { applyJsonPatch } from "./json-patch.js";
import { mergePatch } from "./merge-patch.js";
import { strategicMergePatch } from "./strategic-merge-patch.js";

const deployment = {
  spec: {
    replicas: 1,
    template: {
      spec: {
        containers: [
          {
            name: "a",
            image: "a:1",
            env: [{ name: "X", value: "1" }],
            ports: [{ containerPort: 80, protocol: "TCP" }],
          },
          { name: "b", image: "b:1" },
        ],
        volumes: [{ name: "v", emptyDir: {} }],
      },
    },
  },
};

describe("strategic merge patch", () => {
  it("merges containers, env and ports by their keys and keeps the rest", () => {
    const out = strategicMergePatch(
      deployment,
      {
        spec: {
          template: {
            spec: {
              containers: [{ name: "a", env: [{ name: "Y", value: "2" }], ports: [{ containerPort: 81 }] }],
            },
          },
        },
      },
      "Deployment",
    ) as typeof deployment;
    const [a, b] = out.spec.template.spec.containers;
    expect(a).toEqual({
      name: "a",
      image: "a:1",
      env: [
        { name: "X", value: "1" },
        { name: "Y", value: "2" },
      ],
      ports: [{ containerPort: 80, protocol: "TCP" }, { containerPort: 81 }],
    });
    expect(b).toEqual({ name: "b", image: "b:1" });
    expect(out.spec.template.spec.volumes).toEqual([{ name: "v", emptyDir: {} }]);
  });

  it("honours $patch delete, $patch replace, $setElementOrder, $retainKeys and null", () => {
    const out = strategicMergePatch(
      deployment,
      {
        spec: {
          replicas: null,
          template: {
            spec: {
              "$setElementOrder/containers": [{ name: "b" }, { name: "a" }],
              containers: [
                { name: "a", $patch: "delete" },
                { name: "b", image: "b:2" },
              ],
              volumes: [{ name: "v", $retainKeys: ["name", "configMap"], configMap: { name: "c" } }],
            },
          },
        },
      },
      "Deployment",
    ) as { spec: { replicas?: number; template: typeof deployment.spec.template } };
    expect(out.spec.replicas).toBeUndefined();
    expect(out.spec.template.spec.containers).toEqual([{ name: "b", image: "b:2" }]);
    expect(out.spec.template.spec.volumes).toEqual([{ name: "v", configMap: { name: "c" } }]);
    const replaced = strategicMergePatch(
      { metadata: { labels: { a: "1", b: "2" } } },
      { metadata: { labels: { $patch: "replace", c: "3" } } },
      "Pod",
    );
    expect(replaced).toEqual({ metadata: { labels: { c: "3" } } });
  });

  it("merges Service ports by port and replaces lists without a strategy", () => {
    const svc = { spec: { ports: [{ port: 80, name: "http" }], externalIPs: ["1.1.1.1"] } };
    const out = strategicMergePatch(
      svc,
      { spec: { ports: [{ port: 443, name: "https" }], externalIPs: ["2.2.2.2"] } },
      "Service",
    );
    expect(out).toEqual({
      spec: {
        ports: [
          { port: 80, name: "http" },
          { port: 443, name: "https" },
        ],
        externalIPs: ["2.2.2.2"],
      },
    });
  });

  it("adds finalizers as a set and deletes from primitive lists", () => {
    const out = strategicMergePatch(
      { metadata: { finalizers: ["a", "b"] } },
      { metadata: { finalizers: ["c", "a"], "$deleteFromPrimitiveList/finalizers": ["b"] } },
      "ConfigMap",
    );
    expect(out).toEqual({ metadata: { finalizers: ["a", "c"] } });
  });
});

describe("JSON patch and merge patch", () => {
  it("applies RFC 6902 operations and fails a test operation", () => {
    const doc = { a: [1, 2], b: { c: 1 } };
    expect(
      applyJsonPatch(doc, [
        { op: "add", path: "/a/-", value: 3 },
        { op: "replace", path: "/b/c", value: 2 },
        { op: "move", from: "/b", path: "/d" },
        { op: "copy", from: "/a/0", path: "/e" },
        { op: "remove", path: "/a/1" },
      ]),
    ).toEqual({ a: [1, 3], d: { c: 2 }, e: 1 });
    expect(doc).toEqual({ a: [1, 2], b: { c: 1 } });
    expect(() => applyJsonPatch(doc, [{ op: "test", path: "/b/c", value: 2 }])).toThrow("test failed");
    expect(() => applyJsonPatch(doc, [{ op: "remove", path: "/x/y" }])).toThrow("missing path");
  });

  it("applies RFC 7386 merge patches", () => {
    expect(mergePatch({ a: 1, b: { c: 1, d: 2 }, l: [1] }, { a: null, b: { c: 3 }, l: [2] })).toEqual({
      b: { c: 3, d: 2 },
      l: [2],
    });
  });
});
