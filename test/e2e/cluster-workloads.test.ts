import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apply, createNamespace, kubectl, requireCluster } from "./support/cluster.js";

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");
let ns: Awaited<ReturnType<typeof createNamespace>>;

async function until<T>(what: string, check: () => Promise<T | undefined | false>, ms = 60_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const r = await check().catch(() => undefined);
    if (r) return r;
    if (Date.now() - started > ms) throw new Error(`not within ${ms / 1000} s: ${what}`);
    await new Promise((res) => setTimeout(res, 500));
  }
}

const json = async (args: string[]) => JSON.parse(await kubectl([...args, "-n", ns.name, "-o", "json"]));

beforeAll(async () => {
  requireCluster();
  ns = await createNamespace("tp-workloads");
}, 60_000);

afterAll(async () => {
  await ns?.remove();
});

describe("StatefulSets in the test cluster", () => {
  it(
    "make ordered pods with stable names, DNS and volumes that outlive them; kubectl scales them",
    { timeout: 240_000 },
    async () => {
      await apply(ns.name, fixture("db-statefulset.yaml"));
      await kubectl(["rollout", "status", "-n", ns.name, "statefulset/db", "--timeout=90s"]);
      const pods = await json(["get", "pods", "-l", "app=db"]);
      expect(pods.items.map((p: { metadata: { name: string } }) => p.metadata.name).sort()).toEqual([
        "db-0",
        "db-1",
      ]);
      const pod0 = pods.items.find((p: { metadata: { name: string } }) => p.metadata.name === "db-0");
      expect(pod0.spec.hostname).toBe("db-0");
      expect(pod0.spec.subdomain).toBe("db");
      const pvcs = await json(["get", "pvc"]);
      expect(
        pvcs.items.map((p: { metadata: { name: string }; status: { phase: string } }) => [
          p.metadata.name,
          p.status.phase,
        ]),
      ).toEqual(
        expect.arrayContaining([
          ["data-db-0", "Bound"],
          ["data-db-1", "Bound"],
        ]),
      );
      const table = await kubectl(["get", "sts", "-n", ns.name]);
      if (!/db\s+2\/2/.test(table))
        console.error(
          table,
          await kubectl(["get", "pods", "-n", ns.name, "-o", "yaml"]),
          await kubectl(["get", "events", "-n", ns.name]),
        );
      expect(table).toMatch(/db\s+2\/2/);
      // Stable network identity through the headless Service.
      const who = await kubectl(["exec", "-n", ns.name, "db-1", "--", "cat", "/data/who"]);
      expect(who.trim()).toBe("db-1 primary");
      const lookup = await kubectl([
        "exec",
        "-n",
        ns.name,
        "db-1",
        "--",
        "/usr/bin/node",
        "-e",
        `require("dns").lookup("db-0.db.${ns.name}.svc.cluster.local",(e,a)=>console.log(e?e.code:a))`,
      ]);
      expect(lookup.trim()).toBe(pod0.status.podIP);
      // The volume outlives its pod: scale to 1 and back, db-1's file is still its own.
      await kubectl(["exec", "-n", ns.name, "db-1", "--", "sh", "-c", "echo kept >> /data/who"]);
      await kubectl(["scale", "-n", ns.name, "sts/db", "--replicas=1"]);
      await until(
        "db-1 is gone",
        async () => (await json(["get", "pods", "-l", "app=db"])).items.length === 1,
      );
      expect((await json(["get", "pvc", "data-db-1"])).status.phase).toBe("Bound");
      await kubectl(["scale", "-n", ns.name, "statefulset/db", "--replicas=2"]);
      await kubectl(["rollout", "status", "-n", ns.name, "statefulset/db", "--timeout=90s"]);
      expect(await kubectl(["exec", "-n", ns.name, "db-1", "--", "cat", "/data/who"])).toBe(
        "db-1 primary\nkept",
      );
    },
  );
});

describe("CustomResourceDefinitions in the test cluster", () => {
  it(
    "serve a custom workload through discovery, with a scale subresource kubectl uses",
    { timeout: 180_000 },
    async () => {
      await kubectl(["apply", "-f", "-"], fixture("rollout-crd.yaml"));
      await kubectl(["wait", "--for=condition=Established", "crd/rollouts.argoproj.io", "--timeout=30s"]);
      expect(await kubectl(["get", "crd"])).toMatch(/rollouts\.argoproj\.io/);
      expect(await kubectl(["api-resources", "--api-group=argoproj.io"])).toMatch(
        /rollouts\s+ro\s+argoproj\.io\/v1alpha1\s+true\s+Rollout/,
      );
      await apply(
        ns.name,
        `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: { name: web }
spec:
  replicas: 2
  selector: { matchLabels: { app: ro-web } }
  template:
    metadata: { labels: { app: ro-web } }
    spec:
      containers: [{ name: web, image: tp-test-echo:local, env: [{ name: PORT, value: "8080" }] }]
`,
      );
      const readyPods = async (n: number) =>
        (await json(["get", "pods", "-l", "app=ro-web"])).items.filter(
          (p: {
            status: { conditions?: { type: string; status: string }[] };
            metadata: { deletionTimestamp?: string };
          }) =>
            !p.metadata.deletionTimestamp &&
            p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
        ).length === n;
      await until("2 pods of the rollout are ready", () => readyPods(2), 90_000);
      await kubectl(["scale", "-n", ns.name, "rollouts.argoproj.io/web", "--replicas=0"]);
      await until(
        "the rollout has no pods",
        async () => (await json(["get", "pods", "-l", "app=ro-web"])).items.length === 0,
      );
      const scale = JSON.parse(
        await kubectl([
          "get",
          "--raw",
          `/apis/argoproj.io/v1alpha1/namespaces/${ns.name}/rollouts/web/scale`,
        ]),
      );
      expect(scale.spec.replicas).toBe(0);
      await kubectl(["scale", "-n", ns.name, "ro/web", "--replicas=1"]);
      await until("1 pod of the rollout is ready", () => readyPods(1), 90_000);
      const after = JSON.parse(
        await kubectl([
          "get",
          "--raw",
          `/apis/argoproj.io/v1alpha1/namespaces/${ns.name}/rollouts/web/scale`,
        ]),
      );
      expect(after.status).toEqual({ replicas: 1, selector: expect.stringContaining("app=ro-web") });
    },
  );
});
