#!/usr/bin/env node
// Startup benchmark: time from `tp docker-run --swap-deployment` to the user container's first
// output line, against a plain `docker run` of the same image, in the same run. Needs the test
// cluster (npm run cluster:up) and the images (npm run images). Prints the ratio and writes
// bench/results/startup.json.
import { mkdirSync, writeFileSync } from "node:fs";
import { settle } from "./settle.mjs";
import { firstLine, kubeconfig, median, swapRun, waitForWeb, withSampleApp } from "./first-line.mjs";

const env = { ...process.env, KUBECONFIG: kubeconfig };
const rounds = Number(process.env.ROUNDS ?? 5);
const image = "tp-test-busybox:local";

await withSampleApp("tp-bench", async (ns) => {
  const tp = [];
  const docker = [];
  for (let i = 0; i < rounds; i++) {
    await settle();
    const d = await firstLine("docker", ["run", "--rm", image, "echo", "hello"], env);
    await d.done;
    docker.push(d.ms);
    await settle();
    const t = await firstLine("node", swapRun("dist/cli/tp.js", ns, image), env);
    await t.done;
    tp.push(t.ms);
    waitForWeb(ns);
  }
  const result = {
    rounds,
    tpFirstOutputMs: tp.map(Math.round),
    dockerRunFirstOutputMs: docker.map(Math.round),
    tpMedianMs: Math.round(median(tp)),
    dockerMedianMs: Math.round(median(docker)),
    ratio: Number((median(tp) / median(docker)).toFixed(2)),
    targets: { ratioAtMost: 3 },
  };
  mkdirSync("bench/results", { recursive: true });
  writeFileSync("bench/results/startup.json", JSON.stringify(result, null, 2) + "\n");
  console.log(
    `tp docker-run to first output: median ${result.tpMedianMs} ms (${result.tpFirstOutputMs.join(", ")})`,
  );
  console.log(
    `plain docker run:              median ${result.dockerMedianMs} ms (${result.dockerRunFirstOutputMs.join(", ")})`,
  );
  console.log(`ratio tp / docker run: ${result.ratio} (target <= 3)`);
});
