import { execa } from "execa";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apply,
  createNamespace,
  kubectl,
  liveTpObjects,
  requireCluster,
  rolloutStatus,
  until,
} from "./support/cluster.js";
import { CutProxy } from "./support/cut-proxy.js";
import { RunningTp, runTp } from "./support/tp.js";

let ns: Awaited<ReturnType<typeof createNamespace>>;

const manifest = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: victim }
spec:
  replicas: 2
  selector: { matchLabels: { app: victim } }
  template:
    metadata: { labels: { app: victim } }
    spec:
      containers:
        - name: app
          image: tp-test-echo:local
          env: [{ name: PORT, value: "8080" }]
          ports: [{ containerPort: 8080 }]
---
apiVersion: v1
kind: Service
metadata: { name: victim }
spec:
  selector: { app: victim }
  ports: [{ port: 8080, targetPort: 8080 }]
`;

async function deployment(): Promise<{
  spec: { replicas: number; template: { spec: { containers: { image: string }[] } } };
  metadata: { annotations?: Record<string, string> };
}> {
  return JSON.parse(await kubectl(["get", "deployment", "victim", "-n", ns.name, "-o", "json"]));
}

function sessionObjects(): Promise<string[]> {
  return liveTpObjects(ns.name, "pods,leases,serviceaccounts,roles,rolebindings");
}

beforeAll(async () => {
  requireCluster();
  ns = await createNamespace("tp-crash");
  await apply(ns.name, manifest);
  await rolloutStatus(ns.name, "victim");
}, 120_000);

afterAll(async () => {
  await ns?.remove();
});

describe("a swap that survives the CLI", () => {
  it(
    "is undone by the cluster within 60 s after kill -9, keeping a change made meanwhile; tp cleanup removes the local containers",
    { timeout: 300_000 },
    async () => {
      const before = await deployment();
      const tp = new RunningTp([
        "docker-run",
        "-n",
        ns.name,
        "--swap-deployment",
        "victim",
        "--",
        "tp-test-busybox:local",
        "sh",
        "-c",
        "echo started; sleep 600",
      ]);
      let session = "";
      try {
        await tp.waitFor(/started/, 90_000);
        session = /victim-tp-([0-9a-f]{8})/.exec(tp.stderr)?.[1] as string;
        // The Deployment goes to 0 once the container runs.
        await until(
          "the deployment is scaled to 0",
          async () => (await deployment()).spec.replicas === 0,
          10_000,
        );
        // Someone edits the Deployment's image while it is swapped.
        await kubectl(["set", "image", "-n", ns.name, "deployment/victim", "app=tp-node-base:local"]);
        tp.process.kill("SIGKILL");
        await tp.processExited();
        const took = await until(
          "the deployment is restored and the session's objects are gone",
          async () => {
            const d = await deployment();
            return (
              d.spec.replicas === 2 &&
              !d.metadata.annotations?.["tp.dev/session"] &&
              (await sessionObjects()).length === 0
            );
          },
          60_000,
        );
        console.log(`restored by the cluster ${took} ms after kill -9 was noticed`);
        const after = await deployment();
        expect(after.spec.template.spec.containers[0]?.image).toBe("tp-node-base:local");
        expect(after.spec.template.spec.containers[0]?.image).not.toBe(
          before.spec.template.spec.containers[0]?.image,
        );
        // The local containers are still there until tp cleanup.
        const left = (await execa("docker", ["ps", "-aq", "--filter", `label=dev.tp.session=${session}`]))
          .stdout;
        expect(left).not.toBe("");
        const cleanup = await runTp(["cleanup", "-n", ns.name]);
        expect(cleanup.exitCode, cleanup.stderr).toBe(0);
        expect(cleanup.stdout).toMatch(/removed/);
        expect(
          (await execa("docker", ["ps", "-aq", "--filter", `label=dev.tp.session=${session}`])).stdout,
        ).toBe("");
      } finally {
        await tp.kill();
        if (session)
          await execa("docker", ["rm", "-f", `tp-${session}`, `tp-${session}-sidecar`]).catch(
            () => undefined,
          );
      }
    },
  );

  it(
    "resumes after the tunnel is cut for 5 s, and ends with an error when the cut outlives the lease",
    { timeout: 300_000 },
    async () => {
      await kubectl(["set", "image", "-n", ns.name, "deployment/victim", "app=tp-test-echo:local"]);
      await rolloutStatus(ns.name, "victim");
      const proxy = new CutProxy({ host: "127.0.0.1", port: 6443 });
      const port = await proxy.listen();
      const dir = mkdtempSync(join(tmpdir(), "tp-cut-"));
      const config = join(dir, "config");
      writeFileSync(
        config,
        readFileSync(".test-cluster/kubeconfig", "utf8").replace(
          /server: .*/,
          `server: https://127.0.0.1:${port}`,
        ),
      );
      // The container calls its own Service: out through the cluster and back in through the proxy.
      const script = [
        "mkdir -p /tmp/www && echo hi > /tmp/www/x && httpd -p 8080 -h /tmp/www",
        "while true; do if wget -qO- http://victim:8080/x >/dev/null 2>&1; then echo ok-$(date +%s); else echo fail-$(date +%s); fi; sleep 1; done",
      ].join("\n");
      const tp = new RunningTp(
        [
          "--kubeconfig",
          config,
          "docker-run",
          "-n",
          ns.name,
          "--swap-deployment",
          "victim",
          "--",
          "tp-test-busybox:local",
          "sh",
          "-c",
          script,
        ],
        { KUBECONFIG: config },
      );
      try {
        await tp.waitFor(/ok-/, 90_000);
        proxy.cut(5_000);
        await tp.waitFor(/tunnel reconnected/, 60_000, "stderr");
        const mark = tp.stdout.length;
        await until(
          "a new connection works after the cut",
          async () => /ok-/.test(tp.stdout.slice(mark)),
          30_000,
        );
        proxy.cut(90_000);
        const code = await tp.exit();
        expect(code).not.toBe(0);
        expect(tp.stderr).toMatch(/tp: .*(lost|could not be renewed|undone)/);
        await until(
          "the cluster restored the deployment",
          async () => (await deployment()).spec.replicas === 2,
          60_000,
        );
      } finally {
        await tp.kill();
        await proxy.close();
        await runTp(["cleanup", "-n", ns.name]);
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
