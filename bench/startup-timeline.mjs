#!/usr/bin/env node
// Where a start's time goes: one `tp -v docker-run --swap-deployment` of the sample app with its
// debug lines timed against the process start, next to a plain `docker run` of the same image.
// Needs the test cluster and the images. Prints the lines as they come, with the first output.
import { spawn } from "node:child_process";
import { settle } from "./settle.mjs";
import { firstLine, kubeconfig, swapRun, waitForWeb, withSampleApp } from "./first-line.mjs";

const env = { ...process.env, KUBECONFIG: kubeconfig };
const image = "tp-test-busybox:local";
const rounds = Number(process.env.ROUNDS ?? 1);

await withSampleApp("tp-timeline", async (ns) => {
  for (let i = 0; i < rounds; i++) {
    await settle();
    const d = await firstLine("docker", ["run", "--rm", image, "echo", "hello"], env);
    await d.done;
    console.log(`plain docker run: ${Math.round(d.ms)} ms`);
    await settle();
    const [tp, ...args] = swapRun("dist/cli/tp.js", ns, image);
    const started = performance.now();
    const at = () => `${((performance.now() - started) / 1000).toFixed(3)}s`;
    const child = spawn("node", [tp, "-v", ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let seen = false;
    child.stdout.on("data", (d) => {
      if (!seen) console.log(`[${at()}] FIRST OUTPUT: ${String(d).trim()}`);
      seen = true;
    });
    let rest = "";
    child.stderr.on("data", (d) => {
      rest += d;
      const lines = rest.split("\n");
      rest = lines.pop() ?? "";
      for (const l of lines) console.log(`[${at()}] ${l}`);
    });
    await new Promise((r) => child.on("close", r));
    waitForWeb(ns);
  }
});
