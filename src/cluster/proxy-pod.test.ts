import { describe, expect, it } from "vitest";
import { interceptProxyPod, toProxyContainer } from "./proxy-pod.js";

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
