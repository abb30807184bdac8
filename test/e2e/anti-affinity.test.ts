import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { apply, createNamespace, kubectl, requireCluster, rolloutStatus } from "./support/cluster.js";
import { fromClient, sessionObjects, type Ns } from "./support/locked-down.js";
import { endAndClean, RunningTp } from "./support/tp.js";

// Pods that keep each other off a node: a Deployment whose template has a required pod
// anti-affinity on its own label per host, as many do to spread their replicas. With as many
// replicas as nodes (here one), the scheduler finds no node for the proxy, a copy of the template,
// beside them; and the workload's pods cannot come back while the proxy runs.

const app = `
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
`;

let ns: Ns;

beforeAll(async () => {
  requireCluster();
  ns = await createNamespace("tp-anti-affinity");
  await apply(ns.name, app);
  await rolloutStatus(ns.name, "spread");
  await kubectl(["wait", "-n", ns.name, "--for=condition=Ready", "pod/client", "--timeout=60s"]);
}, 120_000);

afterAll(async () => {
  await ns?.remove();
});

describe("a Deployment whose pods' anti-affinity keeps a copy off their node", () => {
  it(
    "stops its pods before the proxy, and removes the proxy before they come back",
    { timeout: 180_000 },
    async () => {
      const name = `tp-e2e-anti-affinity-${process.pid}`;
      const tp = new RunningTp([
        ...["docker-run", "-n", ns.name, "--swap-deployment", "spread", "--"],
        ...["--name", name, "-e", "PORT=8080", "-e", "NAME=local", "tp-test-echo:local"],
      ]);
      onTestFailed(() => console.log(`tp's stderr:\n${tp.stderr}`));
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
