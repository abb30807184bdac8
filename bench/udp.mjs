#!/usr/bin/env node
// UDP benchmark: round trip p50/p99 and echoed datagrams a second, from a container on the pod
// network and from a container under `tp docker-run`, both to the same echo pod, in one run.
// Needs the test cluster and the images. Prints the ratios and writes bench/results/udp.json.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { kubeconfig, kubectl } from "./first-line.mjs";

const ns = `tp-bench-udp-${Date.now().toString(36)}`;
const echo = `require("dgram").createSocket("udp4").on("message", function (m, r) { this.send(m, r.port, r.address); }).bind(9000); require("net").createServer((c) => c.end()).listen(8080);`;
const manifest = JSON.stringify({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "udpecho" },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: "udpecho" } },
    template: {
      metadata: { labels: { app: "udpecho" } },
      spec: {
        containers: [
          {
            name: "udp",
            image: "tp-node-base:local",
            command: ["node", "-e", echo],
            readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
          },
        ],
      },
    },
  },
});
const args = { pings: Number(process.env.PINGS ?? 2000), seconds: Number(process.env.SECONDS_EACH ?? 3) };
const bench = resolve("bench");
const parse = (out) =>
  JSON.parse(
    out
      .split("\n")
      .find((l) => l.startsWith("RESULT "))
      .slice(7),
  );

kubectl("create", "namespace", ns);
try {
  execFileSync("kubectl", ["--kubeconfig", kubeconfig, "apply", "-n", ns, "-f", "-"], { input: manifest });
  kubectl("rollout", "status", "-n", ns, "deployment/udpecho", "--timeout=60s");
  const podIp = kubectl(
    "get",
    "pods",
    "-n",
    ns,
    "-l",
    "app=udpecho",
    "-o",
    "jsonpath={.items[0].status.podIP}",
  );
  const target = JSON.stringify({ host: podIp, port: 9000, ...args });
  const client = ["-v", `${bench}:/bench:ro`, "tp-node-base:local", "node", "/bench/udp-client.mjs", target];
  const podNetwork = parse(
    execFileSync("docker", ["run", "--rm", "--network", "tp-test-cluster", ...client], { encoding: "utf8" }),
  );
  const tp = parse(
    execFileSync("node", ["dist/cli/tp.js", "docker-run", "-n", ns, "--", ...client], {
      encoding: "utf8",
      env: { ...process.env, KUBECONFIG: kubeconfig },
      stdio: ["ignore", "pipe", "inherit"],
    }),
  );
  const result = {
    podNetwork,
    tp,
    ratios: {
      p50: Number((tp.p50Ms / podNetwork.p50Ms).toFixed(2)),
      p99: Number((tp.p99Ms / podNetwork.p99Ms).toFixed(2)),
      throughput: Number((tp.datagramsPerSecond / podNetwork.datagramsPerSecond).toFixed(2)),
    },
  };
  mkdirSync("bench/results", { recursive: true });
  writeFileSync("bench/results/udp.json", JSON.stringify(result, null, 2) + "\n");
  const row = (name, r) =>
    `${name.padEnd(28)} p50 ${r.p50Ms.toFixed(3)} ms  p99 ${r.p99Ms.toFixed(3)} ms  ${r.datagramsPerSecond} datagrams/s`;
  console.log(row("container on the pod network", podNetwork));
  console.log(row("tp docker-run", tp));
  console.log(
    `tp / pod network: p50 ×${result.ratios.p50}, p99 ×${result.ratios.p99}, throughput ×${result.ratios.throughput}`,
  );
} finally {
  kubectl("delete", "namespace", ns, "--wait=false");
}
