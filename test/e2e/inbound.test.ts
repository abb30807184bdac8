import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apply, createNamespace, kubectl, requireCluster, rolloutStatus } from "./support/cluster.js";
import { RunningTp } from "./support/tp.js";

let ns: Awaited<ReturnType<typeof createNamespace>>;

const manifest = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: greeter }
spec:
  replicas: 1
  selector: { matchLabels: { app: greeter } }
  template:
    metadata: { labels: { app: greeter } }
    spec:
      containers:
        - name: app
          image: tp-test-echo:local
          env: [{ name: PORT, value: "8080" }, { name: NAME, value: remote }]
          ports: [{ containerPort: 8080 }]
        - name: db-proxy
          image: tp-node-base:local
          command: ["node", "-e", "require('net').createServer(s=>{s.write('db-proxy:');s.pipe(s)}).listen(5000,'127.0.0.1')"]
---
apiVersion: v1
kind: Service
metadata: { name: greeter }
spec:
  selector: { app: greeter }
  ports: [{ name: http, port: 8080, targetPort: 8080 }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web80 }
spec:
  replicas: 1
  selector: { matchLabels: { app: web80 } }
  template:
    metadata: { labels: { app: web80 } }
    spec:
      containers:
        - name: app
          image: tp-test-echo:local
          env: [{ name: PORT, value: "8080" }, { name: NAME, value: remote80 }]
---
apiVersion: v1
kind: Service
metadata: { name: web80 }
spec:
  selector: { app: web80 }
  ports: [{ name: http, port: 80, targetPort: 80 }]
---
apiVersion: v1
kind: Pod
metadata: { name: client }
spec:
  containers:
    - { name: client, image: tp-node-base:local, command: [sleep, "3600"] }
`;

/** An HTTP GET from a pod in the cluster (node: busybox wget crashes on -T timeouts). */
async function fromClient(url: string): Promise<string> {
  const script = `require("http").get(${JSON.stringify(url)}, { timeout: 5000 }, (r) => r.pipe(process.stdout)).on("error", (e) => { console.error(e.message); process.exit(1); })`;
  return kubectl(["exec", "-n", ns.name, "client", "--", "node", "-e", script]);
}

beforeAll(async () => {
  requireCluster();
  ns = await createNamespace("tp-inbound");
  await apply(ns.name, manifest);
  await rolloutStatus(ns.name, "greeter");
  await kubectl(["wait", "-n", ns.name, "--for=condition=Ready", "pod/client", "--timeout=60s"]);
}, 120_000);

afterAll(async () => {
  await ns?.remove();
});

describe("inbound traffic and pod-local ports", () => {
  it("a cluster pod reaches the local container through the swapped Service (auto-exposed port); --to-pod, --from-pod and --container-to-host carry bytes both ways", async () => {
    const host = createServer((s) => {
      s.write("host:");
      s.pipe(s);
    });
    await new Promise<void>((r) => host.listen(0, "127.0.0.1", r));
    const hostPort = (host.address() as { port: number }).port;
    const script = [
      "PORT=8080 NAME=local node /opt/echo/echo-server.mjs &",
      "node -e \"require('net').createServer(s=>{s.write('local6000:');s.pipe(s)}).listen(6000,'127.0.0.1')\" &",
      "sleep 1",
      "echo to-pod=$(echo ping | nc -w 3 127.0.0.1 5000)",
      "echo to-host=$(echo ping | nc -w 3 127.0.0.1 7000)",
      "echo ready",
      "sleep 300",
    ].join("\n");
    const tp = new RunningTp([
      "docker-run",
      "-n",
      ns.name,
      "--swap-deployment",
      "greeter:app",
      "--to-pod",
      "5000",
      "--from-pod",
      "6000",
      "--container-to-host",
      `7000:${hostPort}`,
      "--",
      "--entrypoint",
      "sh",
      "tp-test-echo:local",
      "-c",
      script,
    ]);
    try {
      await tp.waitFor(/ready/, 90_000);
      expect(tp.stdout).toContain("to-pod=db-proxy:ping");
      expect(tp.stdout).toContain("to-host=host:ping");
      expect(JSON.parse(await fromClient("http://greeter:8080/in"))).toMatchObject({
        name: "local",
        url: "/in",
      });
      const pod = /greeter-tp-[0-9a-f]{8}/.exec(tp.stderr)?.[0] as string;
      const fromPod = await kubectl([
        "exec",
        "-n",
        ns.name,
        pod,
        "-c",
        "db-proxy",
        "--",
        "node",
        "-e",
        "const s=require('net').connect(6000,'127.0.0.1',()=>s.end('pong'));s.on('data',d=>process.stdout.write(d))",
      ]);
      expect(fromPod).toBe("local6000:pong");
    } finally {
      await tp.kill();
      host.close();
    }
  });

  it("--expose 8080:80 delivers the pod's port 80 to local 8080 while the proxy runs as non-root", async () => {
    const tp = new RunningTp([
      "docker-run",
      "-n",
      ns.name,
      "--swap-deployment",
      "web80",
      "--expose",
      "8080:80",
      "--",
      "-e",
      "PORT=8080",
      "-e",
      "NAME=local80",
      "tp-test-echo:local",
    ]);
    try {
      await tp.waitFor(/listening on 8080/, 90_000);
      expect(JSON.parse(await fromClient("http://web80/low"))).toMatchObject({
        name: "local80",
        url: "/low",
      });
      const pod = /web80-tp-[0-9a-f]{8}/.exec(tp.stderr)?.[0] as string;
      const uid = await kubectl(["exec", "-n", ns.name, pod, "-c", "app", "--", "id", "-u"]);
      expect(uid.trim()).not.toBe("0");
    } finally {
      await tp.kill();
    }
  });
});
