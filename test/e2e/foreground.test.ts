import { execa } from "execa";
import { spawn } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apply,
  createNamespace,
  kubeconfig,
  kubectl,
  liveTpObjects,
  requireCluster,
  rolloutStatus,
} from "./support/cluster.js";
import { RunningTp, tpBin } from "./support/tp.js";

let ns: Awaited<ReturnType<typeof createNamespace>>;

/** `name`'s pods: env known from the API ahead, or (`late`) only once the agent answers. */
const deployment = (name: string, late: boolean) => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name} }
spec:
  replicas: 1
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      containers:
        - name: app
          image: tp-test-echo:local
          imagePullPolicy: Never
          env:
            - { name: PORT, value: "8080" }
${
  late
    ? `            - name: MEMORY_LIMIT
              valueFrom: { resourceFieldRef: { resource: limits.memory } }`
    : ""
}
`;

beforeAll(async () => {
  requireCluster();
  ns = await createNamespace("tp-fg");
  await apply(ns.name, deployment("ahead", false) + "---\n" + deployment("late", true));
  await rolloutStatus(ns.name, "ahead");
  await rolloutStatus(ns.name, "late");
}, 120_000);

afterAll(async () => {
  await ns?.remove();
});

/** The commands of `pid` and of every process below it (Linux /proc). */
function descendantCommands(pid: number): string[] {
  const parent = new Map<number, number>();
  const comm = new Map<number, string>();
  for (const e of readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, "utf8");
      parent.set(Number(e), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
      comm.set(Number(e), stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")));
    } catch {
      // Gone meanwhile.
    }
  }
  const all = [pid];
  for (let i = 0; i < all.length; i++) for (const [c, p] of parent) if (p === all[i]) all.push(c);
  return all.slice(1).map((p) => comm.get(p) ?? "?");
}

const program = [
  'trap "echo got TERM; exit 3" TERM',
  "echo to-stderr >&2",
  "head -c 3000000 /dev/zero | tr '\\0' x",
  "echo",
  "echo ready",
  "while :; do sleep 0.1; done",
].join("; ");

describe("the user container in the foreground, without a TTY", () => {
  for (const workload of ["ahead", "late"]) {
    it(`passes its output, stdout and stderr apart, and tp's signal (${workload})`, async () => {
      const tp = new RunningTp([
        "docker-run",
        "-n",
        ns.name,
        "--swap-deployment",
        workload,
        "--",
        "tp-test-busybox:local",
        "sh",
        "-c",
        program,
      ]);
      try {
        await tp.waitFor(/^ready$/m, 90_000);
        // Followed through the engine's API: no docker CLI beside tp for the session's length.
        expect(descendantCommands(tp.process.pid!)).not.toContain("docker");
        tp.process.kill("SIGTERM");
        expect(await tp.exit()).toBe(143);
        const [bulk, ...rest] = tp.stdout.split("\n");
        expect(bulk).toBe("x".repeat(3_000_000));
        expect(rest.filter(Boolean)).toEqual(["ready", "got TERM"]);
        expect(tp.stderr).toMatch(/^to-stderr$/m);
      } finally {
        await tp.kill();
      }
    });
  }
});

describe("the user container's output read by a program that stops reading", () => {
  it("ends the session and undoes it, as a pipe's writer ends (tp ... | head -1)", async () => {
    const tp = spawn(
      tpBin,
      [
        "docker-run",
        "-n",
        ns.name,
        "--swap-deployment",
        "ahead",
        "--",
        "tp-test-busybox:local",
        "sh",
        "-c",
        "echo first; sleep 0.5; while :; do echo more; done",
      ],
      { env: { ...process.env, KUBECONFIG: kubeconfig }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    tp.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const ended = new Promise<number | null>((r) => tp.on("exit", (code) => r(code)));
    try {
      // The reader takes the first line and goes away.
      await new Promise<void>((resolve) =>
        tp.stdout.once("data", () => {
          tp.stdout.destroy();
          resolve();
        }),
      );
      const code = await Promise.race([
        ended,
        new Promise((r) => setTimeout(() => r("still running"), 60_000)),
      ]);
      expect(code, stderr).toBe(141);
      expect(stderr).not.toMatch(/EPIPE|Uncaught|at .*\.cjs/);
      const session = /web-tp-([0-9a-f]{8})|ahead-tp-([0-9a-f]{8})/.exec(stderr);
      const id = session?.[1] ?? session?.[2];
      expect(id, stderr).toBeDefined();
      const left = await execa("docker", ["ps", "-aq", "--filter", `label=dev.tp.session=${id}`]);
      expect(left.stdout).toBe("");
      expect(await liveTpObjects(ns.name, "pods,leases")).toEqual([]);
      const d = JSON.parse(await kubectl(["get", "deployment", "ahead", "-n", ns.name, "-o", "json"])) as {
        metadata: { annotations?: Record<string, string> };
        spec: { replicas: number };
      };
      expect(d.spec.replicas).toBe(1);
      expect(Object.keys(d.metadata.annotations ?? {}).filter((k) => k.startsWith("tp.dev/"))).toEqual([]);
    } finally {
      if (tp.exitCode === null) {
        tp.kill("SIGINT");
        await ended;
      }
    }
  });
});
