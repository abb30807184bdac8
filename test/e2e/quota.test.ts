import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { apply, createNamespace, kubectl, requireCluster, rolloutStatus } from "./support/cluster.js";
import { fromClient, replicas, sessionObjects, swap, type Ns } from "./support/locked-down.js";
import { endAndClean, RunningTp, runTp } from "./support/tp.js";
import { until } from "./support/workloads.js";

// A namespace as shared clusters give them: a ResourceQuota that every pod must state its cpu and
// memory for, and a LimitRange with bounds. tp's own pods must be admitted there, and a swap must
// go on where the quota has no room for the proxy beside the workload's pods.

const manifest = (pods: number) => `
apiVersion: v1
kind: ResourceQuota
metadata: { name: compute }
spec:
  hard: { pods: "${pods}", requests.cpu: "2", requests.memory: 2Gi, limits.cpu: "4", limits.memory: 4Gi }
---
apiVersion: v1
kind: LimitRange
metadata: { name: bounds }
spec:
  limits:
    - type: Container
      min: { cpu: 5m }
      max: { cpu: 500m }
`;

const app = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: app
          image: tp-test-echo:local
          env: [{ name: PORT, value: "80" }, { name: NAME, value: remote }]
          ports: [{ containerPort: 80 }]
          resources: { requests: { cpu: 100m, memory: 64Mi }, limits: { cpu: 200m, memory: 128Mi } }
---
apiVersion: v1
kind: Service
metadata: { name: web }
spec:
  selector: { app: web }
  ports: [{ name: http, port: 80, targetPort: 80 }]
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
  ns = await createNamespace("tp-quota");
  await apply(ns.name, manifest(6));
  await apply(ns.name, app);
  await rolloutStatus(ns.name, "web");
  await kubectl(["wait", "-n", ns.name, "--for=condition=Ready", "pod/client", "--timeout=60s"]);
}, 120_000);

afterAll(async () => {
  await ns?.remove();
});

/** End a session as a user does (Ctrl-C); then the workload is back and nothing of tp is left. */
async function interrupt(tp: RunningTp): Promise<void> {
  tp.process.kill("SIGINT");
  await tp.processExited();
  expect(await replicas(ns.name)).toEqual({ replicas: 2, holder: undefined });
  expect(await sessionObjects(ns.name)).toEqual([]);
  await rolloutStatus(ns.name, "web");
}

const resourcesOf = async (selector: string) =>
  JSON.parse(
    await kubectl([
      "get",
      "pods",
      "-n",
      ns.name,
      "-l",
      selector,
      "-o",
      "jsonpath={.items[0].spec.containers[0].resources}",
    ]),
  );

describe("a namespace with a ResourceQuota and a LimitRange", () => {
  it(
    "swaps with the warden on, its resources stated within the LimitRange",
    { timeout: 180_000 },
    async () => {
      const name = `tp-e2e-quota-${process.pid}`;
      const tp = swap(ns.name, name);
      onTestFailed(() => console.log(`tp's stderr:\n${tp.stderr}`));
      try {
        await tp.waitFor(/listening on 8080/, 90_000);
        expect(JSON.parse(await fromClient(ns.name, "http://web/x"))).toMatchObject({
          name: "local",
          url: "/x",
        });
        expect(tp.stderr).not.toMatch(/warden is off/);
        await until(
          "the warden runs",
          async () =>
            /Running/.test(await kubectl(["get", "pods", "-n", ns.name, "-l", "tp.dev/role=warden"])),
          30_000,
        );
        // The quota asks for all four (the LimitRange would fill in cpu only); the agent's cpu limit is
        // cut down to the LimitRange's max.
        expect(await resourcesOf("tp.dev/role=warden")).toEqual({
          requests: { cpu: "10m", memory: "64Mi" },
          limits: { cpu: "500m", memory: "256Mi" },
        });
        await interrupt(tp);
      } finally {
        await endAndClean(tp, ns.name, name);
      }
    },
  );

  it("starts a new deployment whose pods the quota admits", { timeout: 180_000 }, async () => {
    const name = `tp-e2e-quota-new-${process.pid}`;
    const tp = new RunningTp([
      ...["docker-run", "-n", ns.name, "--new-deployment", "scratch", "--expose", "8080", "--"],
      ...["--name", name, "-e", "PORT=8080", "-e", "NAME=local", "tp-test-echo:local"],
    ]);
    onTestFailed(() => console.log(`tp's stderr:\n${tp.stderr}`));
    try {
      await tp.waitFor(/listening on 8080/, 90_000);
      expect(JSON.parse(await fromClient(ns.name, "http://scratch:8080/n"))).toMatchObject({ name: "local" });
      tp.process.kill("SIGINT");
      await tp.processExited();
      expect(await sessionObjects(ns.name)).toEqual([]);
    } finally {
      await endAndClean(tp, ns.name, name);
    }
  });

  it(
    "stops the workload's pods first where the quota has no room for the proxy beside them",
    { timeout: 180_000 },
    async () => {
      // The pods of web, the client and the warden fill it.
      await apply(ns.name, manifest(4));
      const name = `tp-e2e-quota-full-${process.pid}`;
      const tp = swap(ns.name, name);
      onTestFailed(() => console.log(`tp's stderr:\n${tp.stderr}`));
      try {
        await tp.waitFor(/listening on 8080/, 90_000);
        expect(tp.stderr).toMatch(/quota has no room for the proxy beside deployment .*\/web's pods/);
        expect(JSON.parse(await fromClient(ns.name, "http://web/y"))).toMatchObject({
          name: "local",
          url: "/y",
        });
        await interrupt(tp);
      } finally {
        await endAndClean(tp, ns.name, name);
        await apply(ns.name, manifest(6));
      }
    },
  );

  it(
    "intercepts with the router's resources stated as the quota requires",
    { timeout: 180_000 },
    async () => {
      await apply(ns.name, manifest(10));
      const name = `tp-e2e-quota-intercept-${process.pid}`;
      const tp = new RunningTp([
        ...[
          "docker-run",
          "-n",
          ns.name,
          "--intercept",
          "web",
          "--http-header",
          "x-dev=me",
          "--expose",
          "8080:80",
        ],
        ...["--", "--name", name, "-e", "PORT=8080", "-e", "NAME=local", "tp-test-echo:local"],
      ]);
      onTestFailed(() => console.log(`tp's stderr:\n${tp.stderr}`));
      const get = async (headers: Record<string, string>) => {
        const script = `require("http").get("http://web/i", { headers: ${JSON.stringify(headers)}, timeout: 5000 }, (r) => r.pipe(process.stdout)).on("error", (e) => { console.error(e.message); process.exit(1); })`;
        return JSON.parse(await kubectl(["exec", "-n", ns.name, "client", "--", "node", "-e", script])).name;
      };
      try {
        await tp.waitFor(/listening on 8080/, 90_000);
        await until("the intercept routes", async () => (await get({ "x-dev": "me" })) === "local", 30_000);
        expect(await get({})).toBe("remote");
        expect(await resourcesOf("tp.dev/router=web")).toEqual({
          requests: { cpu: "10m", memory: "64Mi" },
          limits: { cpu: "500m", memory: "256Mi" },
        });
        tp.process.kill("SIGINT");
        await tp.processExited();
        expect(await sessionObjects(ns.name)).toEqual([]);
      } finally {
        await endAndClean(tp, ns.name, name);
        await apply(ns.name, manifest(6));
      }
    },
  );

  it("says at once why a new deployment gets no pod, and leaves nothing", { timeout: 120_000 }, async () => {
    // The pods of web, the client and the warden fill it.
    await apply(ns.name, manifest(4));
    try {
      // tp doctor sees it coming: the quota has room for one more pod.
      const doctor = await runTp(["doctor", "-n", ns.name, "-o", "json", "--skip-image"]);
      const quota = JSON.parse(doctor.stdout).checks.find((c: { name: string }) => c.name === "quota");
      expect(quota).toMatchObject({
        status: "warn",
        message: expect.stringMatching(/^quota compute has room for 1 more pod/),
      });
      const r = await runTp(
        [
          ...["docker-run", "-n", ns.name, "--new-deployment", "scratch", "--expose", "8080", "--"],
          ...["-e", "PORT=8080", "tp-test-echo:local"],
        ],
        { timeoutMs: 60_000 },
      );
      expect(r.exitCode, r.stderr).toBe(255);
      expect(r.stderr).toMatch(/deployment .*\/scratch cannot create its pod: .*exceeded quota: compute/);
      expect(r.stderr).toMatch(/hint: the namespace's ResourceQuota or LimitRange refuses it/);
      expect(await sessionObjects(ns.name)).toEqual([]);
      expect(await kubectl(["get", "deployments", "-n", ns.name, "-o", "name"])).not.toContain("scratch");
      // Its ReplicaSet goes too (collected), before the quota has room again.
      await until(
        "the ReplicaSet of scratch to go",
        async () => !(await kubectl(["get", "replicasets", "-n", ns.name, "-o", "name"])).includes("scratch"),
        30_000,
      );
    } finally {
      await runTp(["cleanup", "-n", ns.name]);
      await apply(ns.name, manifest(6));
    }
  });
});
