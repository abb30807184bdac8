import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apply, createNamespace, kubectl, requireCluster } from "./support/cluster.js";
import { RunningTp, runTp } from "./support/tp.js";
import { fixture, getObject, isRestored, killedSwapIsUndone, until } from "./support/workloads.js";

let ns: Awaited<ReturnType<typeof createNamespace>>;

const client = `
apiVersion: v1
kind: Pod
metadata: { name: client }
spec:
  containers: [{ name: client, image: tp-test-busybox:local, command: ["sleep", "3600"] }]
`;

const fileOf = async (pod: string) =>
  (await kubectl(["exec", "-n", ns.name, pod, "--", "cat", "/data/who"])).trim();

beforeAll(async () => {
  requireCluster();
  ns = await createNamespace("tp-sts");
  await apply(ns.name, fixture("db-statefulset.yaml") + "\n---\n" + client);
  await kubectl(["rollout", "status", "-n", ns.name, "statefulset/db", "--timeout=120s"]);
  await kubectl(["wait", "-n", ns.name, "--for=condition=Ready", "pod/client", "--timeout=60s"]);
}, 180_000);

afterAll(async () => {
  await ns?.remove();
});

describe("tp docker-run --swap statefulset/db", () => {
  it(
    "runs the container as replica db-0 (env, its volume, its DNS name, its hostname -f) and restores both replicas with their data",
    { timeout: 300_000 },
    async () => {
      // The replica's own full name, as its /etc/hosts gives it (db-0.db.NS.svc.cluster.local).
      const fqdn = (await kubectl(["exec", "-n", ns.name, "db-0", "--", "hostname", "-f"])).trim();
      expect(fqdn).toMatch(/^db-0\.db\./);
      const script = [
        'echo "ROLE=$DB_ROLE"',
        'echo "FQDN=$(hostname -f)"',
        'echo "WHO=$(cat $TELEPRESENCE_ROOT/data/who)"',
        "exec /usr/bin/node /opt/echo/echo-server.mjs",
      ].join("; ");
      const tp = new RunningTp([
        "docker-run",
        "-n",
        ns.name,
        "--swap",
        "statefulset/db",
        "--",
        "-e",
        "NAME=local-db",
        "--entrypoint",
        "/bin/sh",
        "tp-test-echo:local",
        "-c",
        script,
      ]);
      try {
        await tp.waitFor(/listening on 8080/, 120_000);
        expect(tp.stdout).toMatch(/^ROLE=primary$/m);
        expect(tp.stdout).toMatch(/^WHO=db-0 primary$/m);
        expect(tp.stdout).toContain(`FQDN=${fqdn}\n`);
        expect((await getObject(ns.name, "statefulset/db")).spec.replicas).toBe(0);
        const ask = async (url: string) =>
          JSON.parse(await kubectl(["exec", "-n", ns.name, "client", "--", "wget", "-qO-", url])) as {
            name: string;
          };
        // The replica's stable name, through the headless Service, and the Service itself.
        await until(
          "db-0.db answers from the local container",
          async () => (await ask("http://db-0.db:8080/")).name === "local-db",
          30_000,
        );
        expect((await ask(`http://db-0.db.${ns.name}.svc.cluster.local:8080/`)).name).toBe("local-db");
        expect((await ask("http://db:8080/")).name).toBe("local-db");
        // tp status names the workload as it was given, with its kind.
        const status = await runTp(["status", "-n", ns.name, "-o", "json"]);
        const sessions = JSON.parse(status.stdout).sessions as {
          namespace?: string;
          deployment?: string;
          objects: string[];
        }[];
        // Local sessions of other namespaces (other test files') are listed too, with theirs.
        expect(sessions.filter((s) => s.namespace === ns.name)).toEqual([
          expect.objectContaining({
            deployment: "statefulset/db",
            objects: expect.arrayContaining(["statefulset/db (swapped)"]),
          }),
        ]);
      } finally {
        await tp.kill();
      }
      expect(tp.stderr).toMatch(/statefulset .*db restored to 2 replicas/);
      await until("both replicas are back", () => isRestored(ns.name, "statefulset/db", 2), 120_000);
      expect(await fileOf("db-0")).toBe("db-0 primary");
      expect(await fileOf("db-1")).toBe("db-1 primary");
    },
  );

  it(
    "ends with the container's last writes in the replica's volume (SIGTERM, the container writing as it stops)",
    { timeout: 300_000 },
    async () => {
      // A database writes as it shuts down; its volume outlives the proxy pod, so the cluster may
      // take the traffic back only once those writes are in it.
      const script =
        "trap 'sleep 1; echo stopped-cleanly > /data/last; exit 0' TERM; echo ready; while :; do sleep 0.2; done";
      const tp = new RunningTp([
        "docker-run",
        "-n",
        ns.name,
        "--swap",
        "statefulset/db",
        "--",
        "tp-test-busybox:local",
        "sh",
        "-c",
        script,
      ]);
      try {
        await tp.waitFor(/^ready$/m, 120_000);
        await tp.waitFor(/swapped, 2 replicas before/, 30_000, "stderr");
        tp.signal("SIGTERM");
        expect(await tp.exit(), tp.stderr).toBe(143);
      } finally {
        await tp.kill();
      }
      await until("both replicas are back", () => isRestored(ns.name, "statefulset/db", 2), 120_000);
      expect((await kubectl(["exec", "-n", ns.name, "db-0", "--", "cat", "/data/last"])).trim()).toBe(
        "stopped-cleanly",
      );
      expect(await fileOf("db-0")).toBe("db-0 primary");
    },
  );

  it(
    "is undone by the cluster within 60 s after kill -9, the replicas' data untouched",
    { timeout: 300_000 },
    async () => {
      const took = await killedSwapIsUndone(ns.name, "sts/db", "statefulset/db", 2);
      console.log(`statefulset restored by the cluster ${took} ms after kill -9`);
      expect(await fileOf("db-0")).toBe("db-0 primary");
      expect(await fileOf("db-1")).toBe("db-1 primary");
    },
  );
});
