// A/B of two tp builds on the startup path: alternating rounds, medians of each.
// Usage: node bench/ab.mjs DIR_A DIR_B [rounds]   (each DIR holds dist/cli/tp.js)
import { spawn, execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { settle } from "./settle.mjs";

const kubeconfig = resolve(".test-cluster/kubeconfig");
const env = { ...process.env, KUBECONFIG: kubeconfig };
const [a, b] = process.argv.slice(2, 4).map((d) => resolve(d, "dist/cli/tp.js"));
const rounds = Number(process.argv[4] ?? 6);
const ns = `tp-ab-${process.pid}`;
const image = "tp-test-busybox:local";
const kubectl = (...args) =>
  execFileSync("kubectl", ["--kubeconfig", kubeconfig, ...args], { encoding: "utf8" });
// Each build keeps its own code cache (a build drops the cache of another).
function firstLine(cmd, args, which) {
  return new Promise((res, rej) => {
    const started = performance.now();
    const childEnv = { ...env, XDG_CACHE_HOME: resolve(`.ab-cache-${which}`) };
    const child = spawn(cmd, args, { env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
    let seen = false;
    child.stdout.on("data", () => {
      if (!seen) {
        seen = true;
        res({ ms: performance.now() - started, done: new Promise((r) => child.on("close", r)) });
      }
    });
    child.on("close", (code) => !seen && rej(new Error(`exit ${code}`)));
  });
}
kubectl("create", "namespace", ns);
try {
  kubectl("apply", "-n", ns, "-f", "demo/sample-app.yaml");
  kubectl("rollout", "status", "-n", ns, "deployment/web", "--timeout=60s");
  const t = { a: [], b: [] };
  for (let i = 0; i < rounds; i++) {
    for (const which of i % 2 ? ["b", "a"] : ["a", "b"]) {
      await settle();
      const r = await firstLine("node", [
        which === "a" ? a : b,
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
      await r.done;
      t[which].push(Math.round(r.ms));
      kubectl("rollout", "status", "-n", ns, "deployment/web", "--timeout=60s");
    }
  }
  const median = (x) => [...x].sort((p, q) => p - q)[Math.floor(x.length / 2)];
  console.log(`A ${median(t.a)} ms (${t.a.join(", ")})`);
  console.log(`B ${median(t.b)} ms (${t.b.join(", ")})`);
} finally {
  kubectl("delete", "namespace", ns, "--wait=false");
}
