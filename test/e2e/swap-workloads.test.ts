import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apply, createNamespace, kubectl, requireCluster, rolloutStatus } from "./support/cluster.js";
import { runTp } from "./support/tp.js";
import {
  fixture,
  getObject,
  isRestored,
  killedSwapIsUndone,
  sessionObjects,
  until,
} from "./support/workloads.js";

let ns: Awaited<ReturnType<typeof createNamespace>>;

const podTemplate = (app: string) => `
    metadata: { labels: { app: ${app} } }
    spec:
      containers:
        - name: app
          image: tp-test-echo:local
          env: [{ name: PORT, value: "8080" }, { name: FLAVOUR, value: ${app}-flavour }]
          ports: [{ containerPort: 8080 }]`;

const manifest = `
apiVersion: apps/v1
kind: ReplicaSet
metadata: { name: solo }
spec:
  replicas: 2
  selector: { matchLabels: { app: solo } }
  template:${podTemplate("solo")}
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: owner }
spec:
  replicas: 1
  selector: { matchLabels: { app: owner } }
  template:${podTemplate("owner")}
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: recreated }
spec:
  replicas: 2
  strategy: { type: Recreate }
  selector: { matchLabels: { app: recreated } }
  template:${podTemplate("recreated")}
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: { name: web }
spec:
  replicas: 2
  selector: { matchLabels: { app: ro-web } }
  template:${podTemplate("ro-web")}
---
apiVersion: v1
kind: Service
metadata: { name: web }
spec:
  selector: { app: ro-web }
  ports: [{ port: 8080 }]
`;

const printEnv = ["--", "tp-test-busybox:local", "sh", "-c", 'echo "FLAVOUR=$FLAVOUR"'];

beforeAll(async () => {
  requireCluster();
  ns = await createNamespace("tp-workloads");
  // The Rollout's CustomResourceDefinition stays installed: other test files may use it too.
  await kubectl(["apply", "-f", "-"], fixture("rollout-crd.yaml"));
  await kubectl(["wait", "--for=condition=Established", "crd/rollouts.argoproj.io", "--timeout=30s"]);
  await apply(ns.name, manifest);
  await rolloutStatus(ns.name, "owner");
  await rolloutStatus(ns.name, "recreated");
  await until(
    "solo and web are ready",
    async () =>
      (await isRestored(ns.name, "replicaset/solo", 2)) &&
      (await isRestored(ns.name, "rollouts.argoproj.io/web", 2)),
    90_000,
  );
}, 180_000);

afterAll(async () => {
  await ns?.remove();
});

describe("tp docker-run --swap KIND/NAME", () => {
  it("stops a Deployment of strategy Recreate before its proxy starts, and the proxy before it comes back", async () => {
    // Its pods may not overlap (a volume one pod at a time): a proxy beside them never runs.
    const overlaps: string[] = [];
    let sampling = true;
    const sample = (async () => {
      while (sampling) {
        const names = (
          await kubectl(["get", "pods", "-n", ns.name, "-l", "app=recreated", "-o", "name"]).catch(() => "")
        )
          .split("\n")
          .filter(Boolean);
        const proxy = names.filter((n) => n.includes("-tp-"));
        if (proxy.length && names.length > proxy.length) overlaps.push(names.join(" "));
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    let r: Awaited<ReturnType<typeof runTp>>;
    try {
      r = await runTp(["docker-run", "-n", ns.name, "--swap", "recreated", ...printEnv]);
    } finally {
      sampling = false;
      await sample;
    }
    expect(overlaps).toEqual([]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe("FLAVOUR=recreated-flavour");
    expect(r.stderr).toContain("its pods go before the proxy starts (strategy Recreate)");
    expect(r.stderr).toMatch(/deployment .*recreated restored to 2 replicas/);
    await rolloutStatus(ns.name, "recreated");
  });

  it("swaps and restores a ReplicaSet without an owner", { timeout: 180_000 }, async () => {
    const r = await runTp(["docker-run", "-n", ns.name, "--swap", "replicaset/solo", ...printEnv]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^FLAVOUR=solo-flavour$/m);
    expect(r.stderr).toMatch(/replicaset .*solo restored to 2 replicas/);
    await until("solo is back", () => isRestored(ns.name, "replicaset/solo", 2), 60_000);
  });

  it("swaps and restores a custom resource through its scale subresource", { timeout: 180_000 }, async () => {
    const r = await runTp([
      "docker-run",
      "-n",
      ns.name,
      "--swap-deployment",
      "rollouts.argoproj.io/web",
      ...printEnv,
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^FLAVOUR=ro-web-flavour$/m);
    expect(r.stderr).toMatch(/rollout .*web restored to 2 replicas/);
    await until("the rollout is back", () => isRestored(ns.name, "rollouts.argoproj.io/web", 2), 60_000);
  });

  it("refuses a ReplicaSet owned by a Deployment, naming the Deployment, and changes nothing", async () => {
    const rs = JSON.parse(await kubectl(["get", "rs", "-n", ns.name, "-l", "app=owner", "-o", "json"]))
      .items[0].metadata.name as string;
    const r = await runTp(["docker-run", "-n", ns.name, "--swap", `rs/${rs}`, ...printEnv]);
    expect(r.exitCode).toBe(255);
    expect(r.stderr).toMatch(new RegExp(`replicaset .*${rs} is managed by deployment owner`));
    expect(r.stderr).toMatch(/swap deployment\/owner instead/);
    expect((await getObject(ns.name, `rs/${rs}`)).metadata.annotations?.["tp.dev/session"]).toBeUndefined();
    expect(await sessionObjects(ns.name)).toEqual([]);
  });

  it("says what exists for a missing workload, an unknown kind, and a kind that cannot scale", async () => {
    const cases: [string, RegExp, RegExp][] = [
      ["statefulset/nosuch", /statefulset "nosuch" not found/, /statefulsets\.apps/],
      [
        "nosuchkind/web",
        /no resource type "nosuchkind"/,
        /deployments\.apps.*rollouts\.argoproj\.io|rollouts\.argoproj\.io.*deployments\.apps/,
      ],
      ["service/web", /services cannot be swapped: it has no scale subresource/, /statefulsets\.apps/],
      ["replicaset/nosuch", /replicaset "nosuch" not found/, /replicasets\.apps in .*: .*solo/],
    ];
    for (const [target, message, hint] of cases) {
      const r = await runTp(["docker-run", "-n", ns.name, "--swap", target, ...printEnv]);
      // 255 when the cluster says no, 2 for a kind tp cannot use (a usage error).
      expect([2, 255], target).toContain(r.exitCode);
      const lines = r.stderr.trim().split("\n");
      expect(lines[0], target).toMatch(message);
      expect(r.stderr, target).toMatch(hint);
    }
    expect(await sessionObjects(ns.name)).toEqual([]);
  });

  it(
    "a killed session of a ReplicaSet is undone by the cluster within 60 s",
    { timeout: 300_000 },
    async () => {
      const took = await killedSwapIsUndone(ns.name, "replicaset/solo", "replicaset/solo", 2);
      console.log(`replicaset restored by the cluster ${took} ms after kill -9`);
    },
  );

  it(
    "a killed session of a custom resource is undone by the cluster within 60 s",
    { timeout: 300_000 },
    async () => {
      const took = await killedSwapIsUndone(ns.name, "ro/web", "rollouts.argoproj.io/web", 2);
      console.log(`rollout restored by the cluster ${took} ms after kill -9`);
    },
  );
});
