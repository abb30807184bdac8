import { execa } from "execa";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apply,
  createNamespace,
  kubectl,
  kubeconfig,
  requireCluster,
  rolloutStatus,
  liveTpObjects,
  until,
} from "./support/cluster.js";
import { RunningTp, runTp } from "./support/tp.js";

let ns: Awaited<ReturnType<typeof createNamespace>>;
let work: string;

const manifest = `
apiVersion: v1
kind: ConfigMap
metadata: { name: app-config }
data: { greeting: hello-from-configmap }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: app }
spec:
  replicas: 1
  selector: { matchLabels: { app: app } }
  template:
    metadata: { labels: { app: app } }
    spec:
      containers:
        - name: app
          image: tp-test-echo:local
          env: [{ name: PORT, value: "8080" }, { name: GREETING, value: hello-from-pod }]
          ports: [{ containerPort: 8080 }]
          volumeMounts: [{ name: config, mountPath: /etc/config }]
      volumes: [{ name: config, configMap: { name: app-config } }]
---
apiVersion: v1
kind: Service
metadata: { name: app }
spec:
  selector: { app: app }
  ports: [{ port: 8080, targetPort: 8080 }]
---
apiVersion: v1
kind: Pod
metadata: { name: client }
spec:
  containers:
    - name: client
      image: tp-node-base:local
      command: ["sleep", "3600"]
`;

async function replicas(): Promise<number> {
  return JSON.parse(await kubectl(["get", "deployment", "app", "-n", ns.name, "-o", "json"])).spec.replicas;
}

function sessionObjects(): Promise<string[]> {
  return liveTpObjects(ns.name, "pods,leases,deployments,services");
}

function freePort(): Promise<number> {
  return new Promise((done) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
  });
}

/** Whether this machine's loopback has an IPv6 address (a kernel may have IPv6 off). */
function ipv6Loopback(): Promise<boolean> {
  return new Promise((done) => {
    const s = createServer()
      .once("error", () => done(false))
      .listen(0, "::1", () => s.close(() => done(true)));
  });
}

beforeAll(async () => {
  requireCluster();
  work = mkdtempSync(join(tmpdir(), "tp-run-e2e-"));
  ns = await createNamespace("tp-run");
  await apply(ns.name, manifest);
  await rolloutStatus(ns.name, "app");
  await until(
    "the client pod runs",
    async () =>
      (await kubectl(["get", "pod", "client", "-n", ns.name, "-o", "jsonpath={.status.phase}"])) ===
      "Running",
    60_000,
  );
}, 120_000);

afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
  await ns?.remove();
});

describe("tp run and tp shell", () => {
  it("gives the pod's env and volumes, follows a ConfigMap edit, takes the Service's traffic with --expose to a program on the IPv6 loopback, and restores all on Ctrl-C", async () => {
    const port = await freePort();
    const mount = join(work, "volumes");
    // On the IPv6 loopback only, as Node's and many dev servers' "localhost" can be: tp dials
    // 127.0.0.1, then ::1.
    const loopback = (await ipv6Loopback()) ? "::1" : "127.0.0.1";
    if (loopback !== "::1") console.log("no IPv6 loopback here: the host server listens on 127.0.0.1");
    const server = `require('http').createServer((q,s)=>s.end('from-host '+process.env.GREETING+' '+q.url)).listen(${port},'${loopback}',()=>console.log('SERVING'))`;
    const tp = new RunningTp([
      "-v",
      "run",
      "-n",
      ns.name,
      "--swap-deployment",
      "app",
      "--expose",
      `${port}:8080`,
      "--mount",
      mount,
      "--",
      "sh",
      "-c",
      `echo "VAR=$GREETING"; echo "FILE=$(cat $TELEPRESENCE_ROOT/etc/config/greeting)"; exec node -e "${server}"`,
    ]);
    try {
      await tp.waitFor(/SERVING/, 120_000);
      expect(tp.stdout).toContain("VAR=hello-from-pod");
      expect(tp.stdout).toContain("FILE=hello-from-configmap");
      // A pod of the cluster calls the swapped Service and reaches the host's server.
      await until("the Deployment is swapped", async () => (await replicas()) === 0, 20_000);
      let answer = "";
      await until(
        "a cluster pod reaches the host through the Service",
        async () => {
          const script = `require("http").get("http://app:8080/in", { timeout: 5000 }, (r) => r.pipe(process.stdout)).on("error", (e) => { console.error(e.message); process.exit(1); })`;
          const r = await execa(
            "kubectl",
            ["--kubeconfig", kubeconfig, "exec", "-n", ns.name, "client", "--", "node", "-e", script],
            { reject: false },
          );
          answer = r.stdout;
          return r.exitCode === 0;
        },
        30_000,
      ).catch((err: unknown) => {
        console.log(`tp said:\n${tp.stderr}`);
        throw err;
      });
      expect(answer).toBe("from-host hello-from-pod /in");
      // A ConfigMap edit reaches the local copy within 5 s.
      const file = join(mount, "etc/config/greeting");
      await kubectl([
        "patch",
        "configmap",
        "app-config",
        "-n",
        ns.name,
        "-p",
        '{"data":{"greeting":"edited"}}',
      ]);
      const took = await until("the edit arrives", () => readFileSync(file, "utf8") === "edited", 5_000, 100);
      console.log(`ConfigMap edit seen locally after ${took} ms`);
      tp.process.kill("SIGINT");
      expect(await tp.exit()).toBe(130);
      expect(await replicas()).toBe(1);
      expect(existsSync(mount)).toBe(false);
      expect(await sessionObjects()).toEqual([]);
    } finally {
      await tp.kill();
      await runTp(["cleanup", "-n", ns.name]);
    }
  }, 240_000);

  it("tp shell runs a script from standard input with the pod's env and network; its exit code is tp's; what it left running ends with it", async () => {
    const script = [
      'echo "pod=$TELEPRESENCE_POD method=$TELEPRESENCE_METHOD"',
      `node -e "require('http').get('http://app:8080/from-shell', r => r.pipe(process.stdout))"`,
      "echo",
      // Left running when the script ends, as a container's end would not leave them: one that
      // ends on SIGTERM, one that ignores it.
      "sleep 300 & echo left=$!",
      `sh -c "trap '' TERM; exec sleep 301" & echo stubborn=$!`,
      "exit 7",
    ].join("\n");
    const r = await execa("node", [resolve("dist/cli/tp.js"), "shell", "-n", ns.name, "--mount", "false"], {
      // bash, the usual login shell, keeps its own copy of the environment (the commands it runs
      // once ended at once, the parent signal meant for bash alone passed on to them).
      env: { KUBECONFIG: kubeconfig, SHELL: "/bin/bash" },
      input: script,
      reject: false,
      timeout: 150_000,
    });
    expect(r.exitCode, r.stderr).toBe(7);
    expect(r.stdout).toMatch(/pod=tp-\S+ method=inject-tcp/);
    expect(r.stdout).toContain('"url":"/from-shell"');
    expect(await sessionObjects()).toEqual([]);
    const left = [...r.stdout.matchAll(/(?:left|stubborn)=(\d+)/g)].map((m) => Number(m[1]));
    expect(left).toHaveLength(2);
    // Ended: gone, or a zombie its new parent has not reaped yet.
    const state = (pid: number) => {
      try {
        return readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /s, "")[0];
      } catch {
        return "gone";
      }
    };
    const running = left.filter((pid) => !["gone", "Z"].includes(state(pid) ?? "gone"));
    for (const pid of running) process.kill(pid, "SIGKILL");
    expect(running, r.stderr).toEqual([]);
  }, 180_000);

  it("refuses bad input before anything is made in the cluster", async () => {
    const missing = await runTp(["run", "-n", ns.name, "--"]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/needs a command/);
    const unknown = await runTp(["run", "-n", ns.name, "--", "no-such-command-tp"]);
    expect(unknown.exitCode).toBe(127);
    expect(unknown.stderr).toMatch(/no-such-command-tp: command not found/);
    // A folder nobody may create, not even root.
    const unwritable = await runTp(["run", "-n", ns.name, "--mount", "/proc/tp-no-such/v", "--", "true"]);
    expect(unwritable.exitCode).not.toBe(0);
    expect(unwritable.stderr).toMatch(/--mount .* not writable/);
    for (const r of [missing, unknown, unwritable]) expect(r.ms).toBeLessThan(10_000);
    expect(await sessionObjects()).toEqual([]);
  });

  it("a kill -9 of tp run is undone by the cluster", async () => {
    const pidFile = join(work, "child.pid");
    const tp = new RunningTp([
      "run",
      "-n",
      ns.name,
      "--swap-deployment",
      "app",
      "--mount",
      "false",
      "--",
      "sh",
      "-c",
      `echo $$ > ${pidFile}; echo started; exec sleep 600`,
    ]);
    try {
      await tp.waitFor(/started/, 120_000);
      await until("the Deployment is swapped", async () => (await replicas()) === 0, 20_000);
      tp.process.kill("SIGKILL");
      await tp.processExited();
      console.log("tp run killed; waiting for the cluster to undo the session");
      await until(
        "the cluster restores the Deployment",
        async () => (await replicas()) === 1 && (await sessionObjects()).length === 0,
        90_000,
      ).catch(async (err: unknown) => {
        console.log(
          `replicas ${await replicas()}, objects ${(await sessionObjects()).join(" ")}\n${tp.stderr}`,
        );
        throw err;
      });
    } finally {
      // The program tp started outlives a kill -9 of tp (and holds its output open): end it first.
      if (existsSync(pidFile)) {
        try {
          process.kill(Number(readFileSync(pidFile, "utf8")), "SIGKILL");
        } catch {
          // already gone
        }
      }
      await tp.kill();
      await runTp(["cleanup", "-n", ns.name]);
    }
  }, 300_000);
});
