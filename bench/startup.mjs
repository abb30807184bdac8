#!/usr/bin/env node
// Startup benchmark: time from `tp docker-run --swap-deployment` to the user container's first
// output line, against a plain `docker run` of the same image, in the same run. Needs the test
// cluster (npm run cluster:up) and the images (npm run images). Prints the ratio and writes
// bench/results/startup.json. With each time, the CPU the whole machine used until that first line
// (every process, the test cluster's included, those that ended too; each run starts on a quiet
// machine, see settle.mjs) and how busy that kept its cores: near 100 %, a start is bound by the
// CPU its processes need, and overlapping more of its steps cannot make it shorter here.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { settle } from "./settle.mjs";
import { machineTicks } from "./proc-stats.mjs";
import { firstLine, kubeconfig, median, swapRun, waitForWeb, withSampleApp } from "./first-line.mjs";

const env = { ...process.env, KUBECONFIG: kubeconfig };
const rounds = Number(process.env.ROUNDS ?? 5);
const image = "tp-test-busybox:local";
const hasProc = existsSync("/proc/stat");

/** firstLine, with the machine's CPU seconds from the spawn to the first line (Linux). */
async function timed(cmd, args) {
  const [busy0] = hasProc ? machineTicks() : [0];
  const run = await firstLine(cmd, args, env);
  const [busy1] = hasProc ? machineTicks() : [0];
  return { ...run, cpuSeconds: Number(((busy1 - busy0) / 100).toFixed(2)) };
}

await withSampleApp("tp-bench", async (ns) => {
  const tp = [];
  const docker = [];
  const tpCpu = [];
  const dockerCpu = [];
  for (let i = 0; i < rounds; i++) {
    await settle();
    const d = await timed("docker", ["run", "--rm", image, "echo", "hello"]);
    await d.done;
    docker.push(d.ms);
    dockerCpu.push(d.cpuSeconds);
    await settle();
    const t = await timed("node", swapRun("dist/cli/tp.js", ns, image));
    await t.done;
    tp.push(t.ms);
    tpCpu.push(t.cpuSeconds);
    waitForWeb(ns);
  }
  const result = {
    rounds,
    tpFirstOutputMs: tp.map(Math.round),
    dockerRunFirstOutputMs: docker.map(Math.round),
    tpMedianMs: Math.round(median(tp)),
    dockerMedianMs: Math.round(median(docker)),
    ratio: Number((median(tp) / median(docker)).toFixed(2)),
    ...(hasProc
      ? {
          cpus: cpus().length,
          tpMachineCpuSeconds: tpCpu,
          dockerRunMachineCpuSeconds: dockerCpu,
          tpMachineCpuMedianSeconds: median(tpCpu),
          dockerRunMachineCpuMedianSeconds: median(dockerCpu),
        }
      : {}),
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
  if (hasProc) {
    const busy = (cpu, ms) => `${Math.round((100 * cpu) / (result.cpus * (ms / 1000)))} %`;
    console.log(
      `machine CPU seconds to first output (all processes, ${result.cpus} cores): tp median ${result.tpMachineCpuMedianSeconds} (${tpCpu.join(", ")}), docker run ${result.dockerRunMachineCpuMedianSeconds} (${dockerCpu.join(", ")})`,
    );
    console.log(
      `cores busy until the first line: tp ${tp.map((ms, i) => busy(tpCpu[i], ms)).join(", ")}; docker run ${docker.map((ms, i) => busy(dockerCpu[i], ms)).join(", ")}`,
    );
  }
});
