import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { apply, createNamespace, kubectl, requireCluster, rolloutStatus } from "./support/cluster.js";
import { fromClient, sessionObjects, type Ns } from "./support/locked-down.js";
import { endAndClean, RunningTp, runTp } from "./support/tp.js";
import { until } from "./support/workloads.js";

const replicasOf = async (name: string) =>
  Number(await kubectl(["get", "deployment", name, "-n", ns.name, "-o", "jsonpath={.spec.replicas}"]));

// Pods that cannot overlap on a node: a Deployment whose pods hold a host port, and one whose
// template has a required pod anti-affinity on its own label per host, as many do to spread their
// replicas. On this one-node cluster the scheduler finds no room for the proxy (a copy of the
// template) beside them, and their pods cannot come back while the proxy runs.

const app = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: edge }
spec:
  replicas: 1
  selector: { matchLabels: { app: edge } }
  template:
    metadata: { labels: { app: edge } }
    spec:
      containers:
        - name: app
          image: tp-test-echo:local
          env: [{ name: PORT, value: "80" }, { name: NAME, value: remote }]
          ports: [{ containerPort: 80, hostPort: 18080 }]
          resources: { requests: { cpu: 100m, memory: 64Mi }, limits: { cpu: 200m, memory: 128Mi } }
---
apiVersion: v1
kind: Service
metadata: { name: edge }
spec:
  selector: { app: edge }
  ports: [{ name: http, port: 80, targetPort: 80 }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: spread }
spec:
  replicas: 1
  selector: { matchLabels: { app: spread } }
  template:
    metadata: { labels: { app: spread } }
    spec:
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            - labelSelector: { matchExpressions: [{ key: app, operator: In, values: [spread] }] }
              topologyKey: kubernetes.io/hostname
      containers:
        - name: app
          image: tp-test-echo:local
          env: [{ name: PORT, value: "8080" }, { name: NAME, value: remote }]
          ports: [{ containerPort: 8080 }]
---
apiVersion: v1
kind: Service
metadata: { name: spread }
spec:
  selector: { app: spread }
  ports: [{ name: http, port: 80, targetPort: 8080 }]
---
apiVersion: v1
kind: Pod
metadata: { name: client }
spec:
  containers:
    - name: client
      image: tp-node-base:local
      command: [sleep, "3600"]
      resources: { requests: { cpu: 50m, memory: 32Mi }, limits: { cpu: 100m, memory: 64Mi } }
`;

let ns: Ns;

beforeAll(async () => {
  requireCluster();
  ns = await createNamespace("tp-host-port");
  await apply(ns.name, app);
  await rolloutStatus(ns.name, "edge");
  await rolloutStatus(ns.name, "spread");
  await kubectl(["wait", "-n", ns.name, "--for=condition=Ready", "pod/client", "--timeout=60s"]);
}, 120_000);

afterAll(async () => {
  await ns?.remove();
});

/** tp docker-run swapping `deployment` for a local echo server on 8080 (its stderr shown on failure). */
function swap(deployment: string, name: string, flags: string[] = []): RunningTp {
  const tp = new RunningTp([
    ...["docker-run", "-n", ns.name, "--swap-deployment", deployment, ...flags, "--"],
    ...["--name", name, "-e", "PORT=8080", "-e", "NAME=local", "tp-test-echo:local"],
  ]);
  onTestFailed(() => console.log(`tp's stderr:\n${tp.stderr}`));
  return tp;
}

describe("a Deployment whose pods hold a host port", () => {
  it(
    "stops its pod before the proxy, which the scheduler cannot place beside it",
    { timeout: 180_000 },
    async () => {
      const name = `tp-e2e-host-port-${process.pid}`;
      const tp = swap("edge", name, ["--expose", "8080:80"]);
      try {
        await tp.waitFor(/listening on 8080/, 90_000);
        expect(tp.stderr).toMatch(
          /the proxy cannot be scheduled beside deployment .*\/edge's pods \(.*free ports/,
        );
        expect(JSON.parse(await fromClient(ns.name, "http://edge/z"))).toMatchObject({
          name: "local",
          url: "/z",
        });
        tp.process.kill("SIGINT");
        await tp.processExited();
        expect(tp.process.exitCode, tp.stderr).toBe(130);
        await rolloutStatus(ns.name, "edge");
        expect(await sessionObjects(ns.name)).toEqual([]);
      } finally {
        await endAndClean(tp, ns.name, name);
      }
    },
  );

  it.each([
    ["tp cleanup", true],
    ["the warden", false],
  ])(
    "after kill -9 of tp, %s removes the proxy before the pod comes back",
    { timeout: 180_000 },
    async (_who, cleanup) => {
      const name = `tp-e2e-host-port-kill-${process.pid}`;
      const tp = swap("edge", name, ["--expose", "8080:80"]);
      // A pod of edge while the proxy still holds the port: one that cannot be placed.
      const overlaps: string[] = [];
      let sampling = false;
      let sample: Promise<void> = Promise.resolve();
      try {
        await tp.waitFor(/listening on 8080/, 90_000);
        tp.process.kill("SIGKILL");
        await tp.processExited();
        sampling = true;
        sample = (async () => {
          while (sampling) {
            const names = (
              await kubectl(["get", "pods", "-n", ns.name, "-l", "app=edge", "-o", "name"]).catch(() => "")
            )
              .split("\n")
              .filter(Boolean);
            const proxy = names.filter((n) => n.includes("-tp-"));
            if (proxy.length && names.length > proxy.length) overlaps.push(names.join(" "));
            await new Promise((r) => setTimeout(r, 100));
          }
        })();
        if (cleanup) {
          const r = await runTp(["cleanup", "-n", ns.name]);
          expect(r.exitCode, r.stderr).toBe(0);
        }
        await until(
          "edge restored and the session's objects gone",
          async () =>
            (await replicasOf("edge")) === 1 &&
            (await sessionObjects(ns.name)).length === 0 &&
            /1\/1/.test(await kubectl(["get", "deployment", "edge", "-n", ns.name, "--no-headers"])),
          90_000,
        );
        sampling = false;
        await sample;
        expect(overlaps).toEqual([]);
      } finally {
        sampling = false;
        await sample;
        await endAndClean(tp, ns.name, name);
      }
    },
  );
});

describe("a Deployment whose pods' anti-affinity keeps a copy off their node", () => {
  it(
    "stops its pods before the proxy, and removes the proxy before they come back",
    { timeout: 180_000 },
    async () => {
      const name = `tp-e2e-anti-affinity-${process.pid}`;
      const tp = swap("spread", name);
      try {
        await tp.waitFor(/listening on 8080/, 60_000);
        expect(tp.stderr).toMatch(
          /the proxy cannot be scheduled beside deployment .*\/spread's pods \(.*anti-affinity rules/,
        );
        // Its pods' stop ends once they are gone (not waiting for the proxy, which has their labels).
        await tp.waitFor(/✔ deployment .*\/spread stopped/, 30_000, "stderr");
        expect(JSON.parse(await fromClient(ns.name, "http://spread/a"))).toMatchObject({
          name: "local",
          url: "/a",
        });
        tp.process.kill("SIGINT");
        await tp.processExited();
        expect(tp.process.exitCode, tp.stderr).toBe(130);
        await rolloutStatus(ns.name, "spread");
        expect(JSON.parse(await fromClient(ns.name, "http://spread/b"))).toMatchObject({ name: "remote" });
        expect(await sessionObjects(ns.name)).toEqual([]);
      } finally {
        await endAndClean(tp, ns.name, name);
      }
    },
  );
});
