#!/usr/bin/env node
// Startup benchmark: time from `tp docker-run --swap-deployment` to the user container's first
// output line, against a plain `docker run` of the same image, in the same run. Needs the test
// cluster (npm run cluster:up) and the images (npm run images). Prints the ratio and writes
// bench/results/startup.json.
import { spawn, execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { settle } from "./settle.mjs";

const kubeconfig = resolve(".test-cluster/kubeconfig");
const env = { ...process.env, KUBECONFIG: kubeconfig };
const rounds = Number(process.env.ROUNDS ?? 3);
const ns = `tp-bench-${process.pid}`;
const image = "tp-test-busybox:local";

/** Milliseconds from spawn to the first line on stdout; the process is then left to finish. */
function firstLine(cmd, args) {
  return new Promise((res, rej) => {
    const started = performance.now();
    const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let seen = false;
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    child.stdout.on("data", () => {
      if (!seen) {
        seen = true;
        res({ ms: performance.now() - started, done: new Promise((r) => child.on("close", r)) });
      }
    });
    child.on("close", (code) => {
      if (!seen) rej(new Error(`${cmd} exited ${code} without output:\n${err}`));
    });
  });
}

const kubectl = (...args) =>
  execFileSync("kubectl", ["--kubeconfig", kubeconfig, ...args], { encoding: "utf8" });

kubectl("create", "namespace", ns);
try {
  kubectl("apply", "-n", ns, "-f", "demo/sample-app.yaml");
  kubectl("rollout", "status", "-n", ns, "deployment/web", "--timeout=60s");
  const tp = [];
  const docker = [];
  for (let i = 0; i < rounds; i++) {
    await settle();
    const d = await firstLine("docker", ["run", "--rm", image, "echo", "hello"]);
    await d.done;
    docker.push(d.ms);
    await settle();
    const t = await firstLine("node", [
      "dist/cli/tp.js",
      "docker-run",
      "-n",
      ns,
      "--swap-deployment",
      "web",
      "--",
      image,
      "echo",
      "hello",
    ]);
    await t.done;
    tp.push(t.ms);
    kubectl("rollout", "status", "-n", ns, "deployment/web", "--timeout=60s");
  }
  const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const result = {
    rounds,
    tpFirstOutputMs: tp.map(Math.round),
    dockerRunFirstOutputMs: docker.map(Math.round),
    tpMedianMs: Math.round(median(tp)),
    dockerMedianMs: Math.round(median(docker)),
    ratio: Number((median(tp) / median(docker)).toFixed(2)),
    targets: { tpUnderMs: 3000, ratioUnder: 5 },
  };
  mkdirSync("bench/results", { recursive: true });
  writeFileSync("bench/results/startup.json", JSON.stringify(result, null, 2) + "\n");
  console.log(
    `tp docker-run to first output: median ${result.tpMedianMs} ms (${result.tpFirstOutputMs.join(", ")})`,
  );
  console.log(
    `plain docker run:              median ${result.dockerMedianMs} ms (${result.dockerRunFirstOutputMs.join(", ")})`,
  );
  console.log(`ratio tp / docker run: ${result.ratio} (target < 5, tp < 3000 ms)`);
} finally {
  kubectl("delete", "namespace", ns, "--wait=false");
}
