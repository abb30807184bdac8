import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apply, createNamespace, kubectl, requireCluster, rolloutStatus } from "./support/cluster.js";
import { runTp } from "./support/tp.js";
import { aliasedDeployment } from "./support/workloads.js";

// What the user container gets beyond the pod's env and network: docker run's own flags about the
// container, and the pod's hostAliases.
const sampleApp = readFileSync("demo/sample-app.yaml", "utf8");
let ns: Awaited<ReturnType<typeof createNamespace>>;

beforeAll(async () => {
  requireCluster();
  ns = await createNamespace("tp-container");
  await apply(ns.name, sampleApp);
  await rolloutStatus(ns.name, "backend");
  await rolloutStatus(ns.name, "web");
}, 120_000);

afterAll(async () => {
  await ns?.remove();
});

describe("the user container of tp docker-run", () => {
  it("passes docker run flags about the container itself to docker: capabilities, limits, read-only, tmpfs", async () => {
    const r = await runTp([
      "docker-run",
      "-n",
      ns.name,
      "--swap-deployment",
      "web",
      "--",
      "--read-only",
      "--tmpfs",
      "/scratch",
      "-m",
      "64m",
      "--group-add",
      "2345",
      "--cap-drop",
      "CHOWN",
      "tp-test-busybox:local",
      "sh",
      "-c",
      [
        "touch /not-here 2>/dev/null && echo root-writable || echo root-read-only",
        "echo x > /scratch/f && echo scratch-writable",
        // cgroup v2, else v1.
        "cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes",
        "id -G | tr ' ' '\\n' | grep -x 2345",
        "chown 1 /scratch/f 2>/dev/null && echo chown-allowed || echo chown-denied",
        // The session is the same: the pod's env, the cluster's names.
        "echo $GREETING_FROM_CM",
        "nslookup backend 2>/dev/null | grep -q '^Name:.*backend' && echo backend-resolves",
      ].join("; "),
    ]);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout.split("\n")).toEqual([
      "root-read-only",
      "scratch-writable",
      String(64 * 1024 * 1024),
      "2345",
      "chown-denied",
      "hello from the config map",
      "backend-resolves",
    ]);
  });
  it("gives the container the pod's hostAliases, as the kubelet writes them into /etc/hosts, and its own hostname and full name", async () => {
    await apply(
      ns.name,
      aliasedDeployment(
        [
          { ip: "10.9.8.7", hostnames: ["legacy-db", "legacy-db.corp.example"] },
          { ip: "fd00::17", hostnames: ["v6-only.corp.example"] },
        ],
        { hostname: "own-host", subdomain: "grp" },
      ),
    );
    await rolloutStatus(ns.name, "aliased");
    // What the pod's own hostname and `hostname -f` are: own-host, own-host.grp.NS.svc.cluster.local.
    const pod = JSON.parse(await kubectl(["get", "pods", "-n", ns.name, "-l", "app=aliased", "-o", "json"]))
      .items[0].metadata.name as string;
    const own = await kubectl(["exec", "-n", ns.name, pod, "--", "sh", "-c", "hostname; hostname -f"]);
    expect(own.trim().split("\n")).toEqual(["own-host", `own-host.grp.${ns.name}.svc.cluster.local`]);
    const r = await runTp([
      "docker-run",
      "-n",
      ns.name,
      "--swap-deployment",
      "aliased",
      "--",
      "tp-test-busybox:local",
      "sh",
      "-c",
      "grep -E 'legacy-db|v6-only' /etc/hosts | tr -s ' \\t' ' '; hostname; hostname -f",
    ]);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines.slice(0, 3).sort()).toEqual([
      "10.9.8.7 legacy-db",
      "10.9.8.7 legacy-db.corp.example",
      "fd00::17 v6-only.corp.example",
    ]);
    expect(lines.slice(3).join("\n")).toBe(own.trim());
  });

  it("runs for a pod without any volume (no service-account token either)", async () => {
    await apply(
      ns.name,
      `
apiVersion: apps/v1
kind: Deployment
metadata: { name: bare }
spec:
  replicas: 1
  selector: { matchLabels: { app: bare } }
  template:
    metadata: { labels: { app: bare } }
    spec:
      automountServiceAccountToken: false
      containers:
        - { name: main, image: tp-test-busybox:local, command: [sleep, "3600"], env: [{ name: WHO, value: bare }] }
`,
    );
    await rolloutStatus(ns.name, "bare");
    const r = await runTp(
      [
        "docker-run",
        "-n",
        ns.name,
        "--swap-deployment",
        "bare",
        "--",
        "tp-test-busybox:local",
        "sh",
        "-c",
        'echo "WHO=$WHO MOUNTS=$TELEPRESENCE_MOUNTS"',
      ],
      { timeoutMs: 60_000 },
    );
    // Before: tp waited 30 minutes for the volumes' first copy, which had nothing to copy.
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe("WHO=bare MOUNTS=");
  });
});
