// Shared by the startup benchmarks: time to a command's first line of output.
import { execFileSync, spawn } from "node:child_process";
import { resolve } from "node:path";

/**
 * Milliseconds from spawn to the first output on stdout, and a promise of the process's end (it
 * is left to finish). Rejects with its stderr when it ends without output.
 */
export function firstLine(cmd, args, env) {
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

export const median = (values) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];

export const kubeconfig = resolve(".test-cluster/kubeconfig");

export const kubectl = (...args) =>
  execFileSync("kubectl", ["--kubeconfig", kubeconfig, ...args], { encoding: "utf8" });

/** Run `use(namespace)` with the sample app rolled out in a namespace of its own, deleted after. */
export async function withSampleApp(prefix, use) {
  const ns = `${prefix}-${process.pid}`;
  kubectl("create", "namespace", ns);
  try {
    kubectl("apply", "-n", ns, "-f", "demo/sample-app.yaml");
    waitForWeb(ns);
    return await use(ns);
  } finally {
    kubectl("delete", "namespace", ns, "--wait=false");
  }
}

/** The sample app's web Deployment rolled out (again, after a session restored it). */
export function waitForWeb(ns) {
  kubectl("rollout", "status", "-n", ns, "deployment/web", "--timeout=60s");
}

/** The measured command: a swap of the sample app's web Deployment, printing one line. */
export function swapRun(tp, ns, image) {
  return [tp, "docker-run", "-n", ns, "--swap-deployment", "web", "--", image, "echo", "hello"];
}
