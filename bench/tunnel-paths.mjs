// Parts of the tunnel benchmark: the kubectl port-forward path, and the printed table.
import { spawn } from "node:child_process";
import { connect } from "node:net";
import { createInterface } from "node:readline";

/**
 * `kubectl port-forward` to the pod, checked with one echo; { child, port } when it carries bytes,
 * else { unavailable: reason } (the cluster may not speak kubectl's port-forward protocol).
 */
export async function kubectlForward(env, ns, pod) {
  const child = spawn(
    "kubectl",
    ["port-forward", "-n", ns, `pod/${pod}`, ":9000", "--address", "127.0.0.1"],
    {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stderr = "";
  child.stderr.on("data", (d) => (stderr = (stderr + d).slice(-2000)));
  const unavailable = (why) => {
    child.kill();
    const said = stderr.trim().split("\n").slice(-2).join(" / ");
    return { unavailable: `${why}${said ? `: ${said}` : ""}` };
  };
  const port = await new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), 15_000);
    createInterface({ input: child.stdout }).on("line", (l) => {
      const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(l);
      if (m) (clearTimeout(timer), resolve(Number(m[1])));
    });
    child.on("close", () => (clearTimeout(timer), resolve(undefined)));
  });
  if (!port) return unavailable("kubectl port-forward did not start listening");
  const echoed = await new Promise((resolve) => {
    const s = connect({ host: "127.0.0.1", port });
    const done = (ok) => (clearTimeout(timer), s.destroy(), resolve(ok));
    const timer = setTimeout(() => done(false), 5_000);
    s.on("connect", () => s.write("Ex"));
    s.on("data", () => done(true));
    s.on("error", () => done(false));
    s.on("close", () => done(false));
  });
  if (!echoed) return unavailable("no echo through kubectl port-forward");
  return { child, port };
}

const names = {
  podNetwork: "container on the pod network → pod IP",
  raw: "raw client-node port-forward (host)",
  kubectl: "kubectl port-forward (host)",
  tp: "tp docker-run → Service",
};

export function printTable(results) {
  const { mib, pings, conns } = results.params;
  console.log(
    `MiB/s, ${mib} MiB one stream / ${mib} MiB over eight; round trip of 1 byte (${pings}); ${conns} connections`,
  );
  console.log(
    "path".padEnd(40) +
      "up     down   up×8   down×8  p50 ms  p99 ms  conns: ms / errors / peak RSS MB   CPU s/GiB",
  );
  for (const [key, name] of Object.entries(names)) {
    const r = results[key];
    if (!r) continue;
    if ("unavailable" in r) {
      console.log(`${name.padEnd(40)}unavailable (${r.unavailable})`);
      continue;
    }
    const c = r.connections;
    const rss = c.peakRssMB
      ? Object.entries(c.peakRssMB)
          .map(([k, v]) => `${k} ${v}`)
          .join(", ")
      : "-";
    console.log(
      name.padEnd(40) +
        [r.upMiBs, r.downMiBs, r.up8MiBs, r.down8MiBs].map((v) => String(v).padEnd(7)).join("") +
        String(r.p50Ms).padEnd(8) +
        String(r.p99Ms).padEnd(8) +
        `${c.openMs} / ${c.errors} / ${rss}`.padEnd(35) +
        (r.cpuSecondsPerGiB ?? "-"),
    );
  }
  console.log("CPU seconds of the machine's processes during the throughput phases (all four transfers):");
  for (const [key, name] of Object.entries(names)) {
    const top = results[key]?.machineCpuSecondsInThroughput;
    if (top) console.log(`  ${name}: ${top.map((p) => `${p.label} ${p.seconds}`).join(", ")}`);
  }
  const q = results.ratios;
  if (q)
    console.log(
      `tp / raw port-forward: up ×${q.up}, down ×${q.down}, up×8 ×${q.up8}, down×8 ×${q.down8} (target ≥ 0.8); ` +
        `p50 +${q.p50ExtraMs} ms (target ≤ +0.2); CPU/GiB ×${q.cpuPerGiB}`,
    );
}
