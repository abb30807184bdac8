#!/usr/bin/env node
// Tunnel benchmark: bytes through four paths to one echo/sink/source pod, in one run — a container
// on the pod network (to the pod IP), a raw @kubernetes/client-node port-forward from the host,
// `kubectl port-forward`, and a container under `tp docker-run` (to the Service by name).
// Each: throughput up/down (one stream, eight streams), 1-byte round trip p50/p99, many concurrent
// connections (time, errors, peak RSS of the local processes), CPU seconds per GiB of the local
// processes. Needs the test cluster and the images. Writes bench/results/tunnel.json.
// Env: TUNNEL_MIB (256), PINGS (500), CONNS (1000), PATHS (podNetwork,raw,kubectl,tp).
import { execFileSync, spawn } from "node:child_process";
import { readFileSync, mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { kubeconfig, kubectl } from "./first-line.mjs";
import {
  allProcessTicks,
  cpuBreakdown,
  cpuSeconds,
  peakRssMB,
  resetPeakRss,
  withDescendants,
} from "./proc-stats.mjs";
import { kubectlForward, printTable } from "./tunnel-paths.mjs";

const params = {
  mib: Number(process.env.TUNNEL_MIB ?? 256),
  pings: Number(process.env.PINGS ?? 500),
  conns: Number(process.env.CONNS ?? 1000),
};
const paths = (process.env.PATHS ?? "podNetwork,raw,kubectl,tp").split(",");
const ns = `tp-bench-tunnel-${Date.now().toString(36)}`;
const env = { ...process.env, KUBECONFIG: kubeconfig };
const bench = resolve("bench");
const image = "tp-node-base:local";
const server = readFileSync(resolve(bench, "tunnel-server.cjs"), "utf8");
const manifest = (kind) =>
  kind === "Service"
    ? {
        apiVersion: "v1",
        kind,
        metadata: { name: "sink" },
        spec: { selector: { app: "sink" }, ports: [{ port: 9000 }] },
      }
    : {
        apiVersion: "apps/v1",
        kind,
        metadata: { name: "sink" },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: "sink" } },
          template: {
            metadata: { labels: { app: "sink" } },
            spec: {
              containers: [
                {
                  name: "sink",
                  image,
                  command: ["node", "-e", server],
                  readinessProbe: { tcpSocket: { port: 9000 }, periodSeconds: 1 },
                },
              ],
            },
          },
        },
      };

/**
 * Run the client; at its marks, read the local processes (groups of pids, looked up at the first
 * mark). Resolves with its result and the figures.
 */
function runClient(cmd, args, localGroups) {
  return new Promise((resolveRun, reject) => {
    const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let groups;
    let cpu0 = 0;
    let machine0 = new Map();
    let result;
    let stderr = "";
    const figures = {};
    child.stderr.on("data", (d) => (stderr = (stderr + d).slice(-4000)));
    const all = () => Object.values(groups).flat();
    createInterface({ input: child.stdout }).on("line", (line) => {
      if (line.startsWith("RESULT ")) result = JSON.parse(line.slice(7));
      else if (line.startsWith("MARK ")) {
        const phase = line.slice(5);
        groups ??= localGroups(child.pid);
        if (phase === "throughput") {
          cpu0 = cpuSeconds(all());
          machine0 = allProcessTicks();
        }
        if (phase === "throughput-done") {
          figures.localCpuSeconds = cpuSeconds(all()) - cpu0;
          // Every process of the machine, local or the test cluster's: where a path's CPU goes.
          figures.machineCpu = cpuBreakdown(machine0, allProcessTicks()).slice(0, 12);
        }
        if (phase === "connections") resetPeakRss(all());
        if (phase === "connections-done")
          figures.peakRssMB = Object.fromEntries(Object.entries(groups).map(([k, p]) => [k, peakRssMB(p)]));
      }
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (!result) return reject(new Error(`${cmd} exited ${code} without a result:\n${stderr}`));
      const gib = result.bytesMoved / 2 ** 30;
      if (figures.localCpuSeconds !== undefined && Object.keys(groups ?? {}).length)
        result.cpuSecondsPerGiB = Number((figures.localCpuSeconds / gib).toFixed(2));
      result.connections.peakRssMB = figures.peakRssMB;
      result.machineCpuSecondsInThroughput = figures.machineCpu;
      resolveRun(result);
    });
  });
}

const clientArgs = (host, port) => [`${bench}/tunnel-client.mjs`, JSON.stringify({ host, port, ...params })];
const inContainer = (host, port) => [
  "-v",
  `${bench}:/bench:ro`,
  image,
  "node",
  ...clientArgs(host, port).map((a) => a.replace(bench, "/bench")),
];

/** A local forwarder process that prints a line with its port; the client runs on the host through it. */
async function throughForwarder(start, name) {
  const fwd = await start();
  if ("unavailable" in fwd) return fwd;
  try {
    return await runClient("node", clientArgs("127.0.0.1", fwd.port), () => ({ [name]: [fwd.child.pid] }));
  } finally {
    fwd.child.kill();
  }
}

const startRaw = () =>
  new Promise((res, rej) => {
    const child = spawn("node", [`${bench}/tunnel-forward.mjs`, ns, pod, "9000"], {
      env,
      stdio: ["ignore", "pipe", "inherit"],
    });
    createInterface({ input: child.stdout }).on("line", (l) => {
      if (l.startsWith("LISTEN ")) res({ child, port: Number(l.slice(7)) });
    });
    child.on("close", (code) => rej(new Error(`tunnel-forward exited ${code}`)));
  });

let pod = "";
kubectl("create", "namespace", ns);
try {
  for (const kind of ["Deployment", "Service"])
    execFileSync("kubectl", ["--kubeconfig", kubeconfig, "apply", "-n", ns, "-f", "-"], {
      input: JSON.stringify(manifest(kind)),
    });
  kubectl("rollout", "status", "-n", ns, "deployment/sink", "--timeout=60s");
  const podJson = JSON.parse(kubectl("get", "pods", "-n", ns, "-l", "app=sink", "-o", "json")).items[0];
  pod = podJson.metadata.name;
  const podIp = podJson.status.podIP;

  const results = { machine: machine(), params };
  for (const path of paths) {
    console.error(`tunnel bench: ${path}…`);
    if (path === "podNetwork")
      results.podNetwork = await runClient(
        "docker",
        ["run", "--rm", "--network", "tp-test-cluster", ...inContainer(podIp, 9000)],
        () => ({}),
      );
    if (path === "raw") results.raw = await throughForwarder(startRaw, "forwarder");
    if (path === "kubectl")
      results.kubectl = await throughForwarder(() => kubectlForward(env, ns, pod), "kubectl");
    if (path === "tp") {
      // A run of tp after the first one starts from the code cache (src/cli/code-cache.ts), the
      // first compiles the whole bundle: any tp command makes the cache, so that the measured run
      // is a typical one.
      execFileSync("dist/cli/tp.js", ["version"], { env, stdio: "ignore" });
      // Through tp's launcher, as a user runs it (with its Node flags).
      results.tp = await runClient(
        "dist/cli/tp.js",
        ["docker-run", "-n", ns, "--", ...inContainer("sink", 9000)],
        (cli) => {
          const id = execFileSync(
            "docker",
            ["ps", "-q", "--filter", `label=dev.tp.pid=${cli}`, "--filter", "label=dev.tp.role=sidecar"],
            { encoding: "utf8" },
          ).trim();
          const pid = Number(
            execFileSync("docker", ["inspect", "-f", "{{.State.Pid}}", id], { encoding: "utf8" }).trim(),
          );
          return { cli: withDescendants(cli), sidecar: withDescendants(pid) };
        },
      );
    }
  }
  results.ratios = ratios(results.tp, results.raw);
  mkdirSync("bench/results", { recursive: true });
  writeFileSync("bench/results/tunnel.json", JSON.stringify(results, null, 2) + "\n");
  printTable(results);
} finally {
  kubectl("delete", "namespace", ns, "--wait=false");
}

function ratios(tp, raw) {
  if (!tp || !raw || "unavailable" in raw) return undefined;
  const r = (k) => Number((tp[k] / raw[k]).toFixed(2));
  return {
    up: r("upMiBs"),
    down: r("downMiBs"),
    up8: r("up8MiBs"),
    down8: r("down8MiBs"),
    p50ExtraMs: Number((tp.p50Ms - raw.p50Ms).toFixed(3)),
    cpuPerGiB: raw.cpuSecondsPerGiB ? r("cpuSecondsPerGiB") : undefined,
  };
}

function machine() {
  const model = /model name\s*:\s*(.*)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1];
  const git = (...a) => execFileSync("git", a, { encoding: "utf8" }).trim();
  const commit =
    git("rev-parse", "--short", "HEAD") + (git("status", "--porcelain", "src") ? "+changes" : "");
  return { cpus: Number(execFileSync("nproc", { encoding: "utf8" })), model, node: process.version, commit };
}
