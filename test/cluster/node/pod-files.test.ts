import { describe, expect, it } from "vitest";
import type { V1Pod } from "@kubernetes/client-node";
import { hostsFile, resolvConf } from "./pod-files.js";

const pod = { metadata: { name: "web-1", namespace: "shop" }, spec: { containers: [] } } as V1Pod;

describe("pod files", () => {
  it("resolv.conf points at cluster DNS with the kubelet's search list", () => {
    expect(resolvConf(pod)).toBe(
      "search shop.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.244.128.10\noptions ndots:5\n",
    );
  });
  it("hosts file names the pod", () => {
    expect(hostsFile(pod, "10.244.64.2")).toContain("10.244.64.2\tweb-1\n");
    const sub = { ...pod, spec: { containers: [], hostname: "h", subdomain: "s" } } as V1Pod;
    expect(hostsFile(sub, "10.244.64.2")).toContain("10.244.64.2\th.s.shop.svc.cluster.local\th\n");
  });
});
