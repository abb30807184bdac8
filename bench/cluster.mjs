#!/usr/bin/env node
// Test cluster benchmark: cluster:up time with images present, and pod create -> Ready time,
// measured in one run. Prints the figures against their targets (10 s, 2 s) and writes
// bench/results/cluster.json. Restarts the test cluster.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";

const kubeconfig = resolve(".test-cluster/kubeconfig");
const kubectl = (...args) =>
  execFileSync("kubectl", ["--kubeconfig", kubeconfig, ...args], { encoding: "utf8" });

execFileSync("npm", ["run", "--silent", "cluster:down"], { stdio: "ignore" });
let t = performance.now();
execFileSync("npm", ["run", "--silent", "cluster:up"], { stdio: "ignore" });
const upMs = performance.now() - t;

const ns = `tp-bench-pods-${process.pid}`;
kubectl("create", "namespace", ns);
const pods = [];
try {
  for (let i = 0; i < 5; i++) {
    const name = `p${i}`;
    t = performance.now();
    kubectl(
      "run",
      "-n",
      ns,
      name,
      "--image=tp-test-busybox:local",
      "--restart=Never",
      "--command",
      "--",
      "sleep",
      "3600",
    );
    kubectl("wait", "-n", ns, "--for=condition=Ready", `pod/${name}`, "--timeout=60s");
    pods.push(performance.now() - t);
  }
} finally {
  kubectl("delete", "namespace", ns, "--wait=false");
}
const median = [...pods].sort((a, b) => a - b)[Math.floor(pods.length / 2)];
const result = {
  clusterUpMs: Math.round(upMs),
  podReadyMs: pods.map(Math.round),
  podReadyMedianMs: Math.round(median),
  note: "pod times include two kubectl process starts (run, wait)",
  targets: { clusterUpMs: 10_000, podReadyMs: 2_000 },
};
mkdirSync("bench/results", { recursive: true });
writeFileSync("bench/results/cluster.json", JSON.stringify(result, null, 2) + "\n");
console.log(`cluster:up: ${result.clusterUpMs} ms (target < 10000, ratio ${(upMs / 10_000).toFixed(2)})`);
console.log(
  `pod create -> Ready: median ${result.podReadyMedianMs} ms (${result.podReadyMs.join(", ")}) (target < 2000, ratio ${(median / 2000).toFixed(2)})`,
);
