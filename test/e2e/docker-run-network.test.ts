import { execa } from "execa";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apply,
  createNamespace,
  kubectl,
  liveTpObjects,
  requireCluster,
  rolloutStatus,
  uniqueName,
} from "./support/cluster.js";
import { runTp } from "./support/tp.js";

let ns: Awaited<ReturnType<typeof createNamespace>>;
const hidden = uniqueName("tp-e2e-hidden");
let hiddenIp = "";

const manifest = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: echo }
spec:
  replicas: 1
  selector: { matchLabels: { app: echo } }
  template:
    metadata: { labels: { app: echo } }
    spec:
      containers:
        - name: echo
          image: tp-test-echo:local
          env: [{ name: PORT, value: "8080" }, { name: NAME, value: echo }]
          ports: [{ containerPort: 8080 }]
          readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 }
        - name: tcp
          image: tp-node-base:local
          command: ["node", "-e", "require('net').createServer({allowHalfOpen:true},s=>s.pipe(s)).listen(9000)"]
---
apiVersion: v1
kind: Service
metadata: { name: echo }
spec:
  selector: { app: echo }
  ports: [{ name: http, port: 80, targetPort: 8080 }, { name: tcp, port: 9000, targetPort: 9000 }]
`;

beforeAll(async () => {
  requireCluster();
  ns = await createNamespace("tp-net");
  await apply(ns.name, manifest);
  // A server on the cluster's network that is not a Service: only the cluster can reach it.
  await execa("docker", [
    "run",
    "-d",
    "--name",
    hidden,
    "--label",
    "dev.tp.e2e=1",
    "--network",
    "tp-test-cluster",
    "-e",
    "NAME=hidden",
    "tp-test-echo:local",
  ]);
  hiddenIp = (
    await execa("docker", [
      "inspect",
      "-f",
      "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
      hidden,
    ])
  ).stdout.trim();
  await rolloutStatus(ns.name, "echo");
}, 120_000);

afterAll(async () => {
  await execa("docker", ["rm", "-f", hidden]).catch(() => undefined);
  await ns?.remove();
});

describe("tp docker-run outbound TCP", () => {
  it("reaches a Service by name, a ClusterIP, a pod IP and a cluster-only server; 200 parallel 1 MB streams arrive intact", async () => {
    const svc = JSON.parse(await kubectl(["get", "service", "echo", "-n", ns.name, "-o", "json"]));
    const pod = JSON.parse(await kubectl(["get", "pods", "-n", ns.name, "-l", "app=echo", "-o", "json"]))
      .items[0];
    const targets = {
      http: {
        byName: "http://echo/by-name",
        byClusterIp: `http://${svc.spec.clusterIP}/by-ip`,
        byPodIp: `http://${pod.status.podIP}:8080/by-pod`,
        hidden: `http://${hiddenIp}:8080/hidden`,
      },
      parallel: { host: "echo", port: 9000, count: 200, size: 1024 * 1024 },
    };
    const fixtures = resolve("test/e2e/fixtures");
    const r = await runTp(
      [
        "docker-run",
        "-n",
        ns.name,
        "--",
        "-v",
        `${fixtures}:/fixtures:ro`,
        "tp-node-base:local",
        "node",
        "/fixtures/net-check.mjs",
        JSON.stringify(targets),
      ],
      { timeoutMs: 180_000 },
    );
    expect(r.exitCode, r.stderr).toBe(0);
    const line = r.stdout.split("\n").find((l) => l.startsWith("RESULT "));
    const result = JSON.parse((line ?? "RESULT {}").slice(7));
    expect(JSON.parse(result.http.byName)).toMatchObject({ name: "echo", url: "/by-name" });
    expect(JSON.parse(result.http.byClusterIp)).toMatchObject({ name: "echo", url: "/by-ip" });
    expect(JSON.parse(result.http.byPodIp)).toMatchObject({ name: "echo", url: "/by-pod" });
    expect(JSON.parse(result.http.hidden)).toMatchObject({ name: "hidden", url: "/hidden" });
    expect(result.parallel).toMatchObject({ ok: 200, failed: 0 });
    // The temporary proxy and its warden are gone, or being deleted.
    expect(await liveTpObjects(ns.name, "pods")).toEqual([]);
  });

  it("--new-deployment creates a Deployment and Service for the session and leaves nothing behind", async () => {
    const name = uniqueName("fresh");
    const r = await runTp([
      "docker-run",
      "-n",
      ns.name,
      "--new-deployment",
      name,
      "--expose",
      "8080",
      "--",
      "tp-test-busybox:local",
      "sh",
      "-c",
      `nslookup ${name} 2>&1 | grep -q "^Name:.*${name}\\." && echo resolved; echo "pod=$TELEPRESENCE_POD"`,
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain("resolved");
    expect(r.stdout).toMatch(new RegExp(`pod=${name}-`));
    const left = await kubectl([
      "get",
      "deployments,services,pods,leases",
      "-n",
      ns.name,
      "-l",
      "app.kubernetes.io/managed-by=tp",
      "-o",
      "json",
    ]);
    const live = (JSON.parse(left).items as { metadata: { deletionTimestamp?: string } }[]).filter(
      (i) => !i.metadata.deletionTimestamp,
    );
    expect(live).toEqual([]);
  });
});
