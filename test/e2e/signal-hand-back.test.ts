import { execa } from "execa";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apply,
  createNamespace,
  kubectl,
  kubeconfig,
  requireCluster,
  rolloutStatus,
  uniqueName,
  until,
} from "./support/cluster.js";
import { RunningTp, runTp } from "./support/tp.js";

// A Deployment whose pod is Ready only 8 s after it starts: long enough to tell whether tp gave the
// user's container the signal before or after the workload's pods took the traffic back.
const manifest = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: slow }
spec:
  replicas: 1
  selector: { matchLabels: { app: slow } }
  template:
    metadata: { labels: { app: slow } }
    spec:
      containers:
        - name: app
          image: tp-test-echo:local
          env: [{ name: PORT, value: "8080" }]
          readinessProbe: { tcpSocket: { port: 8080 }, initialDelaySeconds: 8, periodSeconds: 1 }
---
apiVersion: v1
kind: Pod
metadata: { name: client }
spec:
  containers:
    - { name: client, image: "tp-test-busybox:local", command: ["sleep", "3600"] }
`;

let ns: Awaited<ReturnType<typeof createNamespace>>;

beforeAll(async () => {
  requireCluster();
  ns = await createNamespace("tp-hand-back");
  await apply(ns.name, manifest);
  await rolloutStatus(ns.name, "slow");
  await kubectl(["wait", "--for=condition=Ready", "pod/client", "-n", ns.name, "--timeout=60s"]);
}, 120_000);

afterAll(async () => {
  await ns?.remove();
});

type Deployment = {
  spec: { replicas: number };
  status: { readyReplicas?: number };
  metadata: { annotations?: Record<string, string> };
};
const deployment = async (): Promise<Deployment> =>
  JSON.parse(await kubectl(["get", "deployment", "slow", "-n", ns.name, "-o", "json"])) as Deployment;

/** How many of the workload's pods are Ready now. */
const readyPods = async (): Promise<number> =>
  (
    JSON.parse(await kubectl(["get", "pods", "-l", "app=slow", "-n", ns.name, "-o", "json"])) as {
      items: {
        metadata: { deletionTimestamp?: string };
        status?: { conditions?: { type: string; status: string }[] };
      }[];
    }
  ).items.filter(
    (p) =>
      !p.metadata.deletionTimestamp &&
      p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
  ).length;

/** tp ended as after Ctrl-C, and the Deployment is as before the session. */
async function expectEndedRestored(tp: RunningTp): Promise<void> {
  expect(await tp.exit()).toBe(130);
  const d = await deployment();
  expect(d.spec.replicas).toBe(1);
  expect(d.metadata.annotations?.["tp.dev/session"]).toBeUndefined();
}

/** Until the workload's pod is gone (the session took the traffic over). */
const untilSwapped = () =>
  until(
    "the workload's pod to stop",
    async () => {
      const d = await deployment();
      return d.spec.replicas === 0 && !d.status.readyReplicas;
    },
    60_000,
    250,
  );

/**
 * A swap of `slow` whose container says when it gets SIGINT (and serves HTTP on 8080, exposed);
 * returns once its pod is gone.
 */
async function swapped(): Promise<RunningTp> {
  const tp = new RunningTp([
    "docker-run",
    "-n",
    ns.name,
    "--swap-deployment",
    "slow",
    "--expose",
    "8080",
    "--",
    "tp-test-busybox:local",
    "sh",
    "-c",
    "trap 'echo got INT; exit 130' INT; mkdir -p /w && echo hi > /w/index.html && httpd -p 8080 -h /w; " +
      "echo started; while true; do sleep 0.2; done",
  ]);
  await tp.waitFor(/started/, 90_000);
  await untilSwapped();
  return tp;
}

describe("a signal to tp docker-run --swap-deployment", () => {
  it("reaches the container once the workload's pods are Ready again", { timeout: 240_000 }, async () => {
    const tp = await swapped();
    try {
      const signalled = Date.now();
      tp.process.kill("SIGINT");
      await tp.waitFor(/got INT/, 60_000);
      const after = Date.now() - signalled;
      // The pod was Ready when the container heard of it, and that took its 8 s. (The pod's own
      // condition: the Deployment's status follows it a moment later.)
      expect(await readyPods()).toBe(1);
      expect(after).toBeGreaterThan(7_000);
      expect(tp.stderr).toMatch(/SIGINT: the cluster takes the traffic back before the container stops/);
      await expectEndedRestored(tp);
    } finally {
      await tp.kill();
    }
  });

  it(
    "leaves the user's program answering its proxy pod until connections stop reaching it",
    { timeout: 240_000 },
    async () => {
      const tp = await swapped();
      // Connections made straight to the proxy pod, as from a node whose rules still route the
      // Service to it once it is being deleted (kube-proxy rewrites them at most once a second).
      const { metadata, status } = JSON.parse(
        await kubectl([
          "get",
          "pods",
          "-n",
          ns.name,
          "-l",
          "tp.dev/role=proxy",
          "-o",
          "jsonpath={.items[0]}",
        ]),
      ) as { metadata: { name: string }; status: { podIP: string } };
      const calls = execa("kubectl", [
        "--kubeconfig",
        kubeconfig,
        "exec",
        "-n",
        ns.name,
        "client",
        "--",
        "sh",
        "-c",
        `while true; do t=$(cut -d' ' -f1 /proc/uptime); ` +
          `if printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 1 ${status.podIP} 8080 | grep -q '200 OK'; ` +
          `then echo "$t ok"; else echo "$t fail"; fi; ` +
          `sleep 0.1; done`,
      ]);
      calls.catch(() => undefined);
      const uptime = () => Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]);
      try {
        tp.process.kill("SIGINT");
        let deleting = 0;
        await until(
          "the proxy pod's deletion",
          async () => {
            const pod = await kubectl(["get", "pod", metadata.name, "-n", ns.name, "-o", "json"]).catch(
              () => "",
            );
            if (
              !pod ||
              (JSON.parse(pod) as { metadata: { deletionTimestamp?: string } }).metadata.deletionTimestamp
            )
              deleting = uptime();
            return deleting > 0;
          },
          60_000,
          100,
        );
        await expectEndedRestored(tp);
        calls.kill();
        const lines = ((await calls.catch((e: { stdout?: string }) => e)).stdout ?? "").split("\n");
        // The agent got its SIGTERM at the deletion; 2 s on, it still passes connections on to the
        // user's program (whose container tp stops only once the pod is gone). The pods of the
        // test cluster share this machine's kernel, and so its uptime clock.
        const answered = lines.filter((l) => l.endsWith(" ok") && Number(l.split(" ")[0]) > deleting + 2);
        expect(answered.length, `deletion at ${deleting}:\n${lines.join("\n")}`).toBeGreaterThan(0);
      } finally {
        calls.kill();
        await tp.kill();
      }
    },
  );

  it(
    "a second one stops the container at once; the cluster is still restored",
    { timeout: 240_000 },
    async () => {
      const tp = await swapped();
      try {
        tp.process.kill("SIGINT");
        await new Promise((r) => setTimeout(r, 500));
        const again = Date.now();
        tp.process.kill("SIGINT");
        await tp.waitFor(/got INT/, 60_000);
        expect(Date.now() - again).toBeLessThan(4_000);
        await expectEndedRestored(tp);
        await rolloutStatus(ns.name, "slow");
      } finally {
        await tp.kill();
      }
    },
  );
});

describe("a signal to tp up", () => {
  it(
    "stops the project's containers once the swapped workload's pods are Ready again",
    { timeout: 300_000 },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "tp-hand-back-"));
      const project = uniqueName("tph");
      const file = join(dir, "tp.yaml");
      writeFileSync(
        file,
        `name: ${project}
x-tp:
  namespace: ${ns.name}
services:
  slow:
    image: tp-test-busybox:local
    command: ["sh", "-c", "exec sleep 600"]
    x-tp:
      swap-deployment: slow
`,
      );
      const containers = async () =>
        (await execa("docker", ["ps", "-q", "--filter", `label=dev.tp.project=${project}`])).stdout
          .split("\n")
          .filter(Boolean);
      const tp = new RunningTp(["up", "-f", file]);
      try {
        await tp.waitFor(/is up: slow/, 120_000, "stderr");
        await untilSwapped();
        expect(await containers()).toHaveLength(2); // the service's container and its sidecar
        const signalled = Date.now();
        tp.process.kill("SIGINT");
        await until(
          "the project's containers to stop",
          async () => (await containers()).length < 2,
          60_000,
          100,
        );
        const after = Date.now() - signalled;
        expect(await readyPods()).toBe(1);
        expect(after).toBeGreaterThan(7_000);
        expect(tp.stderr).toMatch(/SIGINT: the cluster takes the traffic back before the containers stop/);
        await expectEndedRestored(tp);
        await rolloutStatus(ns.name, "slow");
      } finally {
        await tp.kill();
        await runTp(["down", "-f", file, "-p", project], { timeoutMs: 120_000 }).catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
