import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apply, createNamespace, kubectl, liveTpObjects, requireCluster } from "./support/cluster.js";
import { runTp } from "./support/tp.js";

// A session whose user container or proxy cannot start says why, once, and leaves nothing.
let ns: Awaited<ReturnType<typeof createNamespace>>;

// Its pods never start (a ConfigMap that does not exist), and neither does the proxy from its template.
const missingConfig = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: unconfigured }
spec:
  replicas: 1
  selector: { matchLabels: { app: unconfigured } }
  template:
    metadata: { labels: { app: unconfigured } }
    spec:
      containers:
        - name: main
          image: tp-test-busybox:local
          command: [sleep, "3600"]
          envFrom: [{ configMapRef: { name: tp-not-there } }]
`;

beforeAll(async () => {
  requireCluster();
  ns = await createNamespace("tp-start-fail");
  await apply(ns.name, missingConfig);
}, 60_000);

afterAll(async () => {
  await ns?.remove();
});

describe("tp docker-run when something cannot start", () => {
  it("says once why a container made ahead did not start, and ends with docker run's code", async () => {
    // The engine refuses the start, not the create: its program was held, then released.
    const r = await runTp([
      "docker-run",
      "-n",
      ns.name,
      "--",
      "--device",
      "/dev/tp-no-such-device",
      "tp-test-busybox:local",
      "echo",
      "ran",
    ]);
    const plain = await execa(
      "docker",
      ["run", "--rm", "--device", "/dev/tp-no-such-device", "tp-test-busybox:local", "echo", "ran"],
      { reject: false },
    );
    expect(plain.exitCode).toBeGreaterThanOrEqual(125);
    expect(r.exitCode, r.stderr).toBe(plain.exitCode);
    expect(r.stdout).not.toContain("ran");
    const said = r.stderr.split("\n").filter((l) => l.includes("/dev/tp-no-such-device"));
    expect(said, r.stderr).toHaveLength(1);
    expect(said[0]).toMatch(/^tp: warning: the container did not start: .*no such file or directory/);
    expect(await liveTpObjects(ns.name, "pods,leases")).toEqual([]);
  });

  it("says at once why a workload's proxy cannot start when its own pods cannot either, and waits for none of them", async () => {
    const r = await runTp([
      "docker-run",
      "-n",
      ns.name,
      "--swap-deployment",
      "unconfigured",
      "--",
      "tp-test-busybox:local",
      "true",
    ]);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(
      /cannot start: CreateContainerConfigError \(configmap "tp-not-there" not found\)/,
    );
    // Before: 30 s more, waiting for the workload's pods to be Ready, which they never were.
    expect(r.stderr).not.toMatch(/seen Ready/);
    expect(await liveTpObjects(ns.name, "pods,leases")).toEqual([]);
    const d = JSON.parse(
      await kubectl(["get", "deployment", "unconfigured", "-n", ns.name, "-o", "json"]),
    ) as {
      spec: { replicas: number };
      metadata: { annotations?: Record<string, string> };
    };
    expect(d.spec.replicas).toBe(1);
    expect(Object.keys(d.metadata.annotations ?? {}).filter((k) => k.startsWith("tp.dev/"))).toEqual([]);
  });
});
