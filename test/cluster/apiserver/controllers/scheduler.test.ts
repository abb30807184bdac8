import { afterEach, describe, expect, it } from "vitest";
import type { KubeObject } from "../../shared/kube-object.js";
import { Registry } from "../registry/registry.js";
import { resourceByPlural } from "../resource-table.js";
import { ObjectStore } from "../store/object-store.js";
import { Scheduler } from "./scheduler.js";

const pods = resourceByPlural("", "pods");
let stop: (() => void) | undefined;
afterEach(() => stop?.());

function cluster(): Registry {
  const reg = new Registry(new ObjectStore());
  reg.create(resourceByPlural("", "namespaces"), undefined, { metadata: { name: "ns" } });
  reg.create(resourceByPlural("", "serviceaccounts"), "ns", { metadata: { name: "default" } });
  reg.create(resourceByPlural("", "nodes"), undefined, {
    metadata: { name: "node-1" },
    status: { conditions: [{ type: "Ready", status: "True" }] },
  });
  const scheduler = new Scheduler(reg);
  stop = reg.store.subscribe((e) => scheduler.onEvent(e));
  return reg;
}

const pod = (name: string, hostPort?: number, hostIP?: string): KubeObject => ({
  metadata: { name },
  spec: {
    containers: [
      {
        name: "c",
        image: "i",
        ports: [{ containerPort: 80, ...(hostPort ? { hostPort } : {}), ...(hostIP ? { hostIP } : {}) }],
      },
    ],
  },
});

const settle = () => new Promise((r) => setTimeout(r, 20));
const scheduled = (reg: Registry, name: string) => {
  const p = reg.find(pods, "ns", name) as KubeObject & {
    spec: { nodeName?: string };
    status?: { conditions?: { type: string; status: string; message?: string }[] };
  };
  return { node: p.spec.nodeName, condition: p.status?.conditions?.find((c) => c.type === "PodScheduled") };
};

describe("the scheduler's host ports (NodePorts)", () => {
  it("leaves a pod whose host port is taken on the node unschedulable, and binds it once the port is free", async () => {
    const reg = cluster();
    reg.create(pods, "ns", pod("a", 8080));
    reg.create(pods, "ns", pod("other", 9090));
    reg.create(pods, "ns", pod("free"));
    await settle();
    reg.create(pods, "ns", pod("b", 8080));
    await settle();
    expect(scheduled(reg, "a").node).toBe("node-1");
    expect(scheduled(reg, "other").node).toBe("node-1");
    expect(scheduled(reg, "free").node).toBe("node-1");
    expect(scheduled(reg, "b")).toEqual({
      node: undefined,
      condition: expect.objectContaining({
        status: "False",
        reason: "Unschedulable",
        message: expect.stringContaining("1 node(s) didn't have free ports for the requested pod ports"),
      }),
    });
    reg.store.remove("/pods", "ns", "a");
    await settle();
    expect(scheduled(reg, "b")).toMatchObject({ node: "node-1", condition: { status: "True" } });
  });

  it("tells addresses apart: two host addresses may share a port, the any-address takes it on all", async () => {
    const reg = cluster();
    reg.create(pods, "ns", pod("a", 8080, "127.0.0.1"));
    await settle();
    reg.create(pods, "ns", pod("b", 8080, "127.0.0.2"));
    reg.create(pods, "ns", pod("c", 8080));
    await settle();
    expect(scheduled(reg, "b").node).toBe("node-1");
    expect(scheduled(reg, "c").node).toBeUndefined();
  });
});

describe("the scheduler's inter-pod anti-affinity", () => {
  const antiWeb = (name: string, labels = { app: "web" }): KubeObject => ({
    metadata: { name, labels },
    spec: {
      containers: [{ name: "c", image: "i" }],
      affinity: {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { labelSelector: { matchLabels: { app: "web" } }, topologyKey: "kubernetes.io/hostname" },
          ],
        },
      },
    },
  });

  it("leaves a pod that the node's pods keep away unschedulable, with the scheduler's reason, until they are gone", async () => {
    const reg = cluster();
    reg.mutate(resourceByPlural("", "nodes"), undefined, "node-1", (n) => {
      n.metadata.labels = { "kubernetes.io/hostname": "node-1" };
    });
    reg.create(pods, "ns", antiWeb("web-1"));
    await settle();
    // A copy of the pod without its affinity: the first pod's anti-affinity keeps it away.
    reg.create(pods, "ns", { ...pod("copy"), metadata: { name: "copy", labels: { app: "web" } } });
    reg.create(pods, "ns", antiWeb("web-2"));
    await settle();
    expect(scheduled(reg, "web-1").node).toBe("node-1");
    expect(scheduled(reg, "copy").condition?.message).toBe(
      "0/1 nodes are available: 1 node(s) didn't satisfy existing pods anti-affinity rules. " +
        "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
    );
    expect(scheduled(reg, "web-2").condition?.message).toContain(
      "1 node(s) didn't match pod anti-affinity rules",
    );
    reg.store.remove("/pods", "ns", "web-1");
    await settle();
    // The first of the two bound: the other stays kept away, by whichever rule holds.
    const bound = ["copy", "web-2"].filter((n) => scheduled(reg, n).node === "node-1");
    expect(bound).toHaveLength(1);
  });
});
