import type { ContainerInspectInfo } from "dockerode";
import { describe, expect, it } from "vitest";
import type { V1Container } from "@kubernetes/client-node";
import { buildPodView } from "./pod-view.js";
import type { PodContainer } from "./docker-runtime.js";

/** A pod of one app container, running in Docker, whose probes the kubelet has not set up yet. */
async function justStarted(container: V1Container) {
  const running: PodContainer = {
    id: "c1",
    name: container.name,
    role: "app",
    attempt: 0,
    info: {
      State: { Running: true, Status: "running", StartedAt: new Date().toISOString() },
    } as ContainerInspectInfo,
  };
  const view = await buildPodView({
    pod: { spec: { containers: [container] } },
    all: [running],
    waiting: new Map(),
    probes: new Map(),
    initDone: true,
    failed: false,
    podIP: "10.0.0.2",
    hostIP: "10.0.0.1",
    podDir: "/nonexistent",
  });
  return view.containers[0];
}

describe("a container's view before its probes run", () => {
  it("is not ready while its readiness probe has not succeeded", async () => {
    const c = await justStarted({ name: "app", readinessProbe: { tcpSocket: { port: 8080 } } });
    expect(c?.ready).toBe(false);
    expect(c?.started).toBe(true);
  });

  it("is neither started nor ready while its startup probe has not succeeded", async () => {
    const c = await justStarted({ name: "app", startupProbe: { tcpSocket: { port: 8080 } } });
    expect(c?.started).toBe(false);
    expect(c?.ready).toBe(false);
  });

  it("is started and ready once running, without probes", async () => {
    const c = await justStarted({ name: "app" });
    expect(c?.started).toBe(true);
    expect(c?.ready).toBe(true);
  });
});
