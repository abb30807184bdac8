#!/usr/bin/env node
// Volume copy benchmark: the time tp takes at session start to copy a volume of 5,000 files /
// 50 MB into the session folder, against `kubectl exec ... tar -c` piped into `tar -x` of the same
// volume, in the same run. The volume is a hostPath folder prepared here, so both read the same
// files. Needs the test cluster (npm run cluster:up) and the images (npm run images). Prints both
// numbers and the ratio, writes bench/results/volumes.json.
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { settle } from "./settle.mjs";

const kubeconfig = resolve(".test-cluster/kubeconfig");
const env = { ...process.env, KUBECONFIG: kubeconfig };
const rounds = Number(process.env.ROUNDS ?? 5);
const files = 5_000;
const fileBytes = 10_000; // 5,000 × 10,000 B = 50 MB
const ns = `tp-bench-vol-${process.pid}`;
const kubectl = (...args) =>
  execFileSync("kubectl", ["--kubeconfig", kubeconfig, ...args], { encoding: "utf8" });

function run(cmd, args, options = {}) {
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"], ...options });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) =>
      code === 0 ? res({ out, err }) : rej(new Error(`${cmd} exited ${code}:\n${err}`)),
    );
  });
}

const volume = mkdtempSync(join(tmpdir(), "tp-bench-volume-"));
chmodSync(volume, 0o755);
for (let d = 0; d < 50; d++) {
  const dir = join(volume, `dir-${d}`);
  mkdirSync(dir, { mode: 0o755 });
  for (let f = 0; f < files / 50; f++)
    writeFileSync(join(dir, `file-${f}.bin`), randomBytes(fileBytes), { mode: 0o644 });
}

const manifest = `apiVersion: apps/v1
kind: Deployment
metadata: { name: bench, labels: { app: bench } }
spec:
  replicas: 1
  selector: { matchLabels: { app: bench } }
  template:
    metadata: { labels: { app: bench } }
    spec:
      containers:
        - name: app
          image: tp-test-echo:local
          imagePullPolicy: Never
          env: [{ name: PORT, value: "8080" }]
          volumeMounts: [{ name: payload, mountPath: /payload }]
        - name: shell
          image: tp-test-busybox:local
          imagePullPolicy: Never
          command: ["sh", "-c", "while true; do sleep 1; done"]
          volumeMounts: [{ name: payload, mountPath: /payload }]
      volumes:
        - name: payload
          hostPath: { path: ${volume} }
`;

kubectl("create", "namespace", ns);
const results = { tpMs: [], kubectlTarMs: [] };
execFileSync("kubectl", ["--kubeconfig", kubeconfig, "apply", "-n", ns, "-f", "-"], { input: manifest });
/** The running pod of the bench Deployment (a new one after each tp session's restore). */
function benchPod() {
  kubectl("rollout", "status", "-n", ns, "deployment/bench", "--timeout=90s");
  return JSON.parse(kubectl("get", "pods", "-n", ns, "-l", "app=bench", "-o", "json")).items.find(
    (p) => !p.metadata.deletionTimestamp && p.status.phase === "Running",
  ).metadata.name;
}

/** kubectl exec ... tar -c piped into tar -x, into a new folder; returns that folder. */
async function kubectlCopy(pod, prefix) {
  const target = mkdtempSync(join(tmpdir(), prefix));
  await run("sh", [
    "-c",
    `kubectl --kubeconfig ${kubeconfig} exec -n ${ns} ${pod} -c shell -- tar -cf - -C /payload . | tar -xf - -C ${target}`,
  ]);
  return target;
}

try {
  // One untimed copy and removal first: the first large write after the volume was made runs in
  // conditions no later round sees again (removals slow this file system down), and would
  // otherwise always fall to whichever copy goes first.
  rmSync(await kubectlCopy(benchPod(), "tp-bench-warm-"), { recursive: true, force: true });
  for (let i = 0; i < rounds; i++) {
    const pod = benchPod();

    const viaKubectl = async () => {
      await settle();
      const started = performance.now();
      const target = await kubectlCopy(pod, "tp-bench-kubectl-");
      results.kubectlTarMs.push(performance.now() - started);
      const copied = readdirSync(target).length;
      rmSync(target, { recursive: true, force: true });
      if (copied !== 50) throw new Error(`kubectl tar copied ${copied} folders`);
    };

    // tp: the copy time it reports (from asking the pod's listing to the last file written).
    let m;
    const viaTp = async () => {
      await settle();
      const tp = await run("node", [
        "dist/cli/tp.js",
        "docker-run",
        "-n",
        ns,
        "--swap-deployment",
        "bench:app",
        "--",
        "tp-test-busybox:local",
        "sh",
        "-c",
        "ls /payload | wc -l; find /payload -type f | wc -l",
      ]);
      m = /volume\(s\) copied to \S+: (\d+) files, ([\d.]+) MB in ([\d.]+) s/.exec(tp.err);
      if (!m) throw new Error(`no copy time in tp's output:\n${tp.err}`);
      const payloadLines = tp.out.trim().split("\n");
      if (payloadLines[0] !== "50" || Number(payloadLines[1]) !== files)
        throw new Error(`tp copied ${payloadLines.join(" / ")} (folders / files)`);
      results.tpMs.push(Number(m[3]) * 1000);
    };
    // Each goes first in every other round: the file system here is faster or slower from one
    // moment to the next, and whichever runs first after a pause is hit differently.
    if (i % 2 === 0) {
      await viaKubectl();
      await viaTp();
    } else {
      await viaTp();
      await viaKubectl();
    }
    process.stderr.write(
      `round ${i + 1}: tp ${m[3]} s (${m[1]} files, ${m[2]} MB), kubectl exec tar ${(results.kubectlTarMs.at(-1) / 1000).toFixed(2)} s\n`,
    );
  }
  const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const result = {
    rounds,
    files,
    bytes: files * fileBytes,
    tpCopyMs: results.tpMs.map(Math.round),
    kubectlExecTarMs: results.kubectlTarMs.map(Math.round),
    tpMedianMs: Math.round(median(results.tpMs)),
    kubectlMedianMs: Math.round(median(results.kubectlTarMs)),
    ratio: Number((median(results.tpMs) / median(results.kubectlTarMs)).toFixed(2)),
  };
  mkdirSync("bench/results", { recursive: true });
  writeFileSync("bench/results/volumes.json", JSON.stringify(result, null, 2) + "\n");
  process.stdout.write(
    `volume copy of ${files} files / ${(files * fileBytes) / 1e6} MB: tp ${result.tpMedianMs} ms, kubectl exec tar | tar -x ${result.kubectlMedianMs} ms, ratio tp/kubectl ${result.ratio} (median of ${rounds})\n`,
  );
} finally {
  try {
    kubectl("delete", "namespace", ns, "--wait=false");
  } catch {
    // The cluster was restarted meanwhile: nothing left to delete.
  }
  rmSync(volume, { recursive: true, force: true });
}
