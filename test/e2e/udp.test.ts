import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apply, createNamespace, kubectl, requireCluster, rolloutStatus } from "./support/cluster.js";
import { RunningTp, runTp } from "./support/tp.js";

let ns: Awaited<ReturnType<typeof createNamespace>>;

// 9000: echo ("port?" answers the sender's port); 9001: a sink that counts ("count?" answers).
const servers = `
const d = require("dgram");
const e = d.createSocket("udp4");
e.on("message", (m, r) => e.send(m.toString() === "port?" ? String(r.port) : m, r.port, r.address));
e.bind(9000);
let n = 0;
const s = d.createSocket("udp4");
s.on("message", (m, r) => (m.toString() === "count?" ? s.send(String(n), r.port, r.address) : n++));
s.bind(9001);
require("net").createServer((c) => c.end()).listen(8080);
`;

const manifest = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: udpecho }
spec:
  replicas: 1
  selector: { matchLabels: { app: udpecho } }
  template:
    metadata: { labels: { app: udpecho } }
    spec:
      containers:
        - name: udp
          image: tp-node-base:local
          command: ["node", "-e", ${JSON.stringify(servers)}]
          ports: [{ containerPort: 9000, protocol: UDP }, { containerPort: 9001, protocol: UDP }]
          readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 }
---
apiVersion: v1
kind: Service
metadata: { name: udpecho }
spec:
  selector: { app: udpecho }
  ports:
    - { name: echo, port: 9000, protocol: UDP }
    - { name: sink, port: 9001, protocol: UDP }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: udpapp }
spec:
  replicas: 1
  selector: { matchLabels: { app: udpapp } }
  template:
    metadata: { labels: { app: udpapp } }
    spec:
      containers:
        - name: app
          image: tp-node-base:local
          command: ["node", "-e", ${JSON.stringify(servers)}]
          ports: [{ containerPort: 9000, protocol: UDP }, { containerPort: 8080 }]
          readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 }
---
apiVersion: v1
kind: Service
metadata: { name: udpapp }
spec:
  selector: { app: udpapp }
  ports: [{ name: echo, port: 9000, protocol: UDP }]
`;

beforeAll(async () => {
  requireCluster();
  ns = await createNamespace("tp-udp");
  await apply(ns.name, manifest);
  await rolloutStatus(ns.name, "udpecho");
  await rolloutStatus(ns.name, "udpapp");
}, 120_000);

afterAll(async () => {
  await ns?.remove();
});

describe("tp docker-run UDP", () => {
  it("carries datagrams to a Service and a pod IP and back: whole, per flow, without loss, with idle flows expiring", async () => {
    const pod = JSON.parse(await kubectl(["get", "pods", "-n", ns.name, "-l", "app=udpecho", "-o", "json"]))
      .items[0];
    const podIp: string = pod.status.podIP;
    const targets = {
      byName: { host: "udpecho", port: 9000 },
      byPodIp: { host: podIp, port: 9000 },
      big: { host: "udpecho", port: 9000 },
      flows: { host: "udpecho", port: 9000 },
      sink: { host: podIp, port: 9001 },
      idle: { host: podIp, port: 9000, idleMs: 2000 },
    };
    const r = await runTp(
      [
        "docker-run",
        "-n",
        ns.name,
        "--udp-idle-timeout",
        "2",
        "--",
        "-v",
        `${resolve("test/e2e/fixtures")}:/fixtures:ro`,
        "tp-node-base:local",
        "node",
        "/fixtures/udp-check.mjs",
        JSON.stringify(targets),
      ],
      { timeoutMs: 180_000 },
    );
    expect(r.exitCode, r.stderr).toBe(0);
    const line = r.stdout.split("\n").find((l) => l.startsWith("RESULT "));
    const result = JSON.parse((line ?? "RESULT {}").slice(7));
    console.log(JSON.stringify(result));
    expect(result.byName.intact).toBeGreaterThanOrEqual(990);
    expect(result.byName.bad).toBe(0);
    expect(result.byPodIp.intact).toBeGreaterThanOrEqual(990);
    expect(result.big).toEqual({ size: 60_000, received: 60_000, intact: true });
    expect(result.flows).toEqual({ flows: 50, ok: 50 });
    expect(result.sink).toEqual({ sent: 5000, received: 5000 });
    // A flow in use keeps its socket in the pod; an idle one ends, and the next datagram opens a new one.
    expect(result.idle.kept).toEqual([result.idle.first, result.idle.first, result.idle.first]);
    expect(result.idle.after).toMatch(/^\d+$/);
    expect(result.idle.after).not.toBe(result.idle.first);
  });

  it("delivers datagrams sent to the swapped Service's UDP port to the local container, and its replies back", async () => {
    const local = `
      const s = require("dgram").createSocket("udp4");
      s.on("message", (m, r) => s.send("local:" + m, r.port, r.address));
      s.bind(9000, () => console.log("LOCAL READY"));
    `;
    const tp = new RunningTp(
      [
        "docker-run",
        "-n",
        ns.name,
        "--swap-deployment",
        "udpapp",
        "--",
        "tp-node-base:local",
        "node",
        "-e",
        local,
      ],
      { KUBECONFIG: resolve(".test-cluster/kubeconfig") },
    );
    try {
      await tp.waitFor(/LOCAL READY/, 90_000);
      const client = `
        const s = require("dgram").createSocket("udp4");
        const t = setInterval(() => s.send("hello", 9000, "udpapp"), 300);
        s.on("message", (m) => { console.log(m.toString()); process.exit(0); });
        setTimeout(() => { console.log("no answer"); process.exit(1); }, 20000);
      `;
      // The swap is done once the Deployment is at 0: then only the proxy serves the Service.
      for (let i = 0; i < 60; i++) {
        const d = JSON.parse(await kubectl(["get", "deployment", "udpapp", "-n", ns.name, "-o", "json"]));
        if (d.spec.replicas === 0) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      const answer = await kubectl(["exec", "-n", ns.name, "deploy/udpecho", "--", "node", "-e", client]);
      expect(answer.trim()).toBe("local:hello");
    } finally {
      await tp.kill();
    }
    const d = JSON.parse(await kubectl(["get", "deployment", "udpapp", "-n", ns.name, "-o", "json"]));
    expect(d.spec.replicas).toBe(1);
  });

  it("refuses an --expose with another protocol or a bad port before anything starts", async () => {
    for (const [spec, message] of [
      ["53/sctp", 'protocol "sctp" is not supported'],
      ["70000/udp", "70000 is not a port"],
    ] as const) {
      const r = await runTp([
        "docker-run",
        "-n",
        ns.name,
        "--expose",
        spec,
        "--",
        "tp-node-base:local",
        "true",
      ]);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain(`--expose ${spec}: ${message}`);
    }
    const pods = JSON.parse(
      await kubectl(["get", "pods", "-n", ns.name, "-l", "app.kubernetes.io/managed-by=tp", "-o", "json"]),
    );
    expect(pods.items).toEqual([]);
  });
});
