import { describe, expect, it } from "vitest";
import { interceptProxyPod, swapProxyPod, toProxyContainer } from "./proxy-pod.js";

const options = { sessionId: "abc12345", agentImage: "tp-agent:x", info: { kind: "swap" } } as never;

const statefulSet = {
  metadata: { name: "db" },
  spec: {
    template: {
      metadata: { labels: { app: "db" }, annotations: { note: "kept" } },
      spec: {
        volumes: [{ name: "config", configMap: { name: "db-config" } }],
        containers: [
          {
            name: "db",
            image: "db:1",
            env: [{ name: "A", value: "1" }],
            ports: [
              { name: "http", containerPort: 8080 },
              { name: "node", containerPort: 9100, hostPort: 9100, hostIP: "0.0.0.0" },
            ],
            volumeMounts: [
              { name: "config", mountPath: "/etc/db" },
              { name: "data", mountPath: "/var/lib/db" },
            ],
          },
        ],
      },
    },
  },
};

describe("the proxy pod of an intercept", () => {
  const registration = { name: "TP_ROUTER_REGISTRATION", value: "{}" };
  const pod = interceptProxyPod(
    statefulSet,
    "db",
    { sessionId: "abcd1234", agentImage: "tp-agent:x", info: { kind: "intercept", namespace: "ns" } },
    registration,
  );
  const container = pod.spec?.containers[0];

  it("has none of the template's labels, so no Service of the workload selects it", () => {
    expect(pod.metadata?.labels).toEqual({
      "app.kubernetes.io/managed-by": "tp",
      "tp.dev/session": "abcd1234",
      "tp.dev/role": "proxy",
    });
    expect(pod.metadata?.annotations?.["note"]).toBe("kept");
  });

  it("keeps the container's env and ports (not the node's host ports), adds the registration and its own IP", () => {
    expect(container?.image).toBe("tp-agent:x");
    expect(container?.ports).toEqual([
      { name: "http", containerPort: 8080 },
      { name: "node", containerPort: 9100 },
    ]);
    expect(container?.env).toEqual([
      { name: "A", value: "1" },
      registration,
      { name: "TP_POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
    ]);
  });

  it("mounts none of a StatefulSet's claim templates (they belong to its replicas)", () => {
    expect(container?.volumeMounts?.map((m) => m.name)).toEqual(["config"]);
  });
});

describe("the proxy container of a swap", () => {
  it("keeps the container's cpu, memory and storage, not its devices (a GPU)", () => {
    const c = toProxyContainer(
      {
        name: "train",
        image: "trainer:1",
        resources: {
          requests: { cpu: "2", memory: "8Gi", "nvidia.com/gpu": "1", "hugepages-2Mi": "64Mi" },
          limits: { cpu: "4", memory: "8Gi", "nvidia.com/gpu": "1", "ephemeral-storage": "10Gi" },
        },
      },
      "tp-agent:x",
    );
    expect(c.resources).toEqual({
      requests: { cpu: "2", memory: "8Gi", "hugepages-2Mi": "64Mi" },
      limits: { cpu: "4", memory: "8Gi", "ephemeral-storage": "10Gi" },
    });
  });
});

describe("the proxy's readiness probe", () => {
  const probeOf = (pod: ReturnType<typeof interceptProxyPod>, name: string) => {
    const c = pod.spec?.containers.find((x) => x.name === name);
    return { port: c?.readinessProbe?.httpGet?.port, args: c?.args ?? [] };
  };
  const withPorts = (ports: number[]) => {
    const w = structuredClone(statefulSet);
    w.spec.template.spec.containers[0]!.ports = ports.map((containerPort) => ({ containerPort })) as never;
    w.spec.template.spec.containers.push({
      name: "side",
      image: "side:1",
      ports: [{ containerPort: 7772 }],
    } as never);
    return w;
  };

  it("asks the agent over HTTP, on a port (a number, not a port's name) that no container of the pod declares", () => {
    const free = probeOf(swapProxyPod(withPorts([8080]), "db", options), "db");
    expect(free.port).toBe(7771);
    expect(free.args.join(" ")).toContain("--readiness-port 7771 --readiness-fd 4");
    const taken = probeOf(swapProxyPod(withPorts([7771, 7773]), "db", options), "db");
    expect(taken.port).toBe(7774);
    expect(taken.args.join(" ")).toContain("--readiness-port 7774");
  });
});
