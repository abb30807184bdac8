import { execa } from "execa";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apply, createNamespace, kubectl, requireCluster, rolloutStatus } from "./support/cluster.js";
import { RunningTp, runTp } from "./support/tp.js";
import { aliasedDeployment } from "./support/workloads.js";

let ns: Awaited<ReturnType<typeof createNamespace>>;

// A server that answers with the address the connection came from: a pod's, when it came through
// the cluster; the Docker network's gateway, had the host dialled the pod's address itself.
const peerServer =
  "require('http').createServer((q,s)=>s.end(JSON.stringify({name:'peer',url:q.url,from:q.socket.remoteAddress.replace(/^::ffff:/,'')}))).listen(8080)";

const manifest = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: peer }
spec:
  replicas: 1
  selector: { matchLabels: { app: peer } }
  template:
    metadata: { labels: { app: peer } }
    spec:
      containers:
        - name: peer
          image: tp-node-base:local
          command: ["node", "-e", "${peerServer}"]
          ports: [{ containerPort: 8080 }]
          readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 }
---
apiVersion: v1
kind: Service
metadata: { name: peer }
spec:
  selector: { app: peer }
  ports: [{ port: 80, targetPort: 8080 }]
`;

const lateService = `
apiVersion: v1
kind: Service
metadata: { name: late }
spec:
  selector: { app: peer }
  ports: [{ port: 81, targetPort: 8080 }]
`;

beforeAll(async () => {
  requireCluster();
  ns = await createNamespace("tp-run-net");
  await apply(ns.name, manifest);
  await rolloutStatus(ns.name, "peer");
}, 120_000);

afterAll(async () => {
  await ns?.remove();
});

async function podIps(selector: string): Promise<string[]> {
  const pods = JSON.parse(await kubectl(["get", "pods", "-n", ns.name, "-l", selector, "-o", "json"]));
  return (pods.items as { status: { podIP?: string } }[]).map((p) => p.status.podIP ?? "");
}

describe("tp run: the host process's network", () => {
  it("a host Node program reaches Services by short, namespaced and full name and a pod IP through the cluster, and a Service made later; other host processes cannot resolve cluster names", async () => {
    const [peerIp] = await podIps("app=peer");
    const targets = {
      short: "http://peer/short",
      namespaced: `http://peer.${ns.name}/namespaced`,
      full: `http://peer.${ns.name}.svc.cluster.local/full`,
      podIp: `http://${peerIp}:8080/pod-ip`,
    };
    const tp = new RunningTp([
      "run",
      "-n",
      ns.name,
      "--mount",
      "false",
      "--",
      "node",
      resolve("test/e2e/fixtures/host-net-check.mjs"),
      JSON.stringify(targets),
      "http://late:81/late",
      "peer",
    ]);
    try {
      const [line] = await tp.waitFor(/^RESULT .*$/m, 120_000);
      // A C program that looks the name up with the gethostbyname family gets the Service's address.
      const [getent] = await tp.waitFor(/^GETENT .*$/m);
      const serviceIp = await kubectl([
        "get",
        "service",
        "peer",
        "-n",
        ns.name,
        "-o",
        "jsonpath={.spec.clusterIP}",
      ]);
      expect(getent.split(/\s+/)).toEqual(["GETENT", serviceIp.trim(), "peer"]);
      await tp.waitFor(/^WAITING$/m);
      // Nothing reached the host's resolver: a process tp did not start cannot resolve the names.
      const outside = await execa("getent", ["hosts", `peer.${ns.name}.svc.cluster.local`], {
        reject: false,
      });
      expect(outside.exitCode).not.toBe(0);
      const proxyIps = await podIps("app.kubernetes.io/managed-by=tp");
      const gateway = (
        await execa("docker", [
          "network",
          "inspect",
          "tp-test-cluster",
          "-f",
          "{{range .IPAM.Config}}{{.Gateway}}{{end}}",
        ])
      ).stdout.trim();
      expect(gateway).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      await apply(ns.name, lateService);
      const [late] = await tp.waitFor(/^LATE .*$/m, 90_000);
      expect(await tp.exit()).toBe(0);

      const result = JSON.parse(line.slice("RESULT ".length)) as Record<string, string>;
      for (const [label, body] of Object.entries(result)) {
        const answer = JSON.parse(body) as { name: string; url: string; from: string };
        expect(answer.name, label).toBe("peer");
        expect(answer.url).toBe(`/${label === "podIp" ? "pod-ip" : label}`);
        // The connection came from the cluster: never from the host (the network's gateway);
        // to a pod IP straight from the session's proxy pod (a Service goes by the node's proxy).
        expect(answer.from, label).not.toBe(gateway);
        if (label === "podIp") expect(proxyIps).toContain(answer.from);
      }
      expect(JSON.parse(late.slice("LATE ".length))).toMatchObject({ name: "peer", url: "/late" });
    } finally {
      await tp.kill();
    }
  }, 240_000);

  it("busybox wget, a static program that ignores the preload, fetches a Service by name through HTTP_PROXY", async () => {
    const r = await runTp(
      [
        "run",
        "-n",
        ns.name,
        "--mount",
        "false",
        "--",
        "/bin/busybox",
        "wget",
        "-q",
        "-O",
        "-",
        "http://peer/wget",
      ],
      { timeoutMs: 120_000 },
    );
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}")).toMatchObject({
      name: "peer",
      url: "/wget",
    });
  }, 150_000);
  it("a host program resolves the pod's hostAliases, as the pod's /etc/hosts does", async () => {
    const [peerIp] = await podIps("app=peer");
    await apply(
      ns.name,
      aliasedDeployment([
        { ip: peerIp as string, hostnames: ["peer-alias"] },
        { ip: "10.9.8.7", hostnames: ["legacy-db.corp.example"] },
      ]),
    );
    await rolloutStatus(ns.name, "aliased");
    const script = [
      "const dns = require('dns');",
      "dns.lookup('legacy-db.corp.example', (e, a) => {",
      "  console.log('legacy-db', e ? e.code : a);",
      "  require('http').get('http://peer-alias:8080/aliased', (r) => {",
      "    let b = ''; r.on('data', (d) => (b += d)); r.on('end', () => console.log(b));",
      "  }).on('error', (e) => console.log('error', e.code));",
      "});",
    ].join("\n");
    const r = await runTp(["run", "-n", ns.name, "--swap-deployment", "aliased", "--", "node", "-e", script]);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const [lookup, answer] = r.stdout.split("\n");
    expect(lookup).toBe("legacy-db 10.9.8.7");
    expect(JSON.parse(answer ?? "{}")).toMatchObject({ name: "peer", url: "/aliased" });
  });
});
