import type { V1Service } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { deploymentRef } from "../contract/workload-ref.js";
import { checkExposeMatches, interceptedPorts, isRawPort, ownSelector } from "./intercept-services.js";
import type { FoundWorkload } from "./workloads.js";

const found: FoundWorkload = {
  ref: deploymentRef("web"),
  object: {
    spec: {
      template: {
        metadata: { labels: { app: "web" } },
        spec: {
          containers: [
            { name: "web", image: "x", ports: [{ name: "http", containerPort: 8080 }] },
            { name: "side", image: "y", ports: [{ name: "metrics", containerPort: 9090 }] },
          ],
        },
      },
    },
  },
};

const service = (ports: NonNullable<V1Service["spec"]>["ports"]): V1Service => ({
  metadata: { name: "web" },
  spec: { selector: { app: "web" }, ports },
});

describe("the intercepted Service's ports", () => {
  it("resolves named and numbered targetPorts against every container, and skips UDP and unknown names", () => {
    const ports = interceptedPorts(
      service([
        { name: "http", port: 80, targetPort: "http" as never },
        { name: "metrics", port: 9090 },
        { name: "dns", port: 53, protocol: "UDP" },
        { name: "gone", port: 81, targetPort: "nope" as never },
        { name: "redis", port: 6379, targetPort: 6379 as never },
      ]),
      found,
    );
    expect(ports).toEqual([
      { port: 80, targetPort: 8080, name: "http", raw: false },
      { port: 9090, targetPort: 9090, name: "metrics", raw: false },
      { port: 6379, targetPort: 6379, raw: true },
    ]);
  });

  it("tells HTTP ports from others by appProtocol, then name", () => {
    expect(isRawPort({ name: "http" })).toBe(false);
    expect(isRawPort({ name: "grpc-api" })).toBe(false);
    expect(isRawPort({})).toBe(false);
    expect(isRawPort({ name: "postgres" })).toBe(true);
    expect(isRawPort({ name: "tcp-db" })).toBe(true);
    expect(isRawPort({ name: "tcp", appProtocol: "kubernetes.io/h2c" })).toBe(false);
    expect(isRawPort({ name: "web", appProtocol: "mysql" })).toBe(true);
  });

  it("refuses an --expose the Service sends nothing to", () => {
    const target = {
      service: service([]),
      name: "web",
      selector: { app: "web" },
      ports: [{ port: 80, targetPort: 8080, raw: false }],
    };
    expect(() => checkExposeMatches(target, [{ remotePort: 8080 }], "ns")).not.toThrow();
    expect(() => checkExposeMatches(target, [{ remotePort: 53, protocol: "udp" }], "ns")).not.toThrow();
    expect(() => checkExposeMatches(target, [{ remotePort: 9000 }], "ns")).toThrow(
      "--expose 9000: service ns/web sends no traffic there (its ports: 80→8080)",
    );
  });

  it("reads a Service's own selector from the record while it selects the router", () => {
    expect(
      ownSelector({
        metadata: { annotations: { "tp.dev/original-selector": '{"app":"web"}' } },
        spec: { selector: { "tp.dev/router": "web" } },
      }),
    ).toEqual({ app: "web" });
    expect(ownSelector(service([]))).toEqual({ app: "web" });
  });
});
