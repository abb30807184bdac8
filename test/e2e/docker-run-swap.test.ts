import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apply,
  createNamespace,
  kubectl,
  requireCluster,
  rolloutStatus,
  testKube,
} from "./support/cluster.js";
import { RunningTp, runTp } from "./support/tp.js";

const sampleApp = readFileSync("demo/sample-app.yaml", "utf8");
let ns: Awaited<ReturnType<typeof createNamespace>>;

/** Key=value lines between two markers of a container's output. */
function envOf(stdout: string): Record<string, string> {
  const block = stdout.split("--- env ---")[1]?.split("--- end env ---")[0] ?? "";
  const env: Record<string, string> = {};
  let last = "";
  for (const line of block.split("\n")) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m?.[1]) env[(last = m[1])] = m[2] ?? "";
    else if (last && line) env[last] += "\n" + line;
  }
  return env;
}

beforeAll(async () => {
  requireCluster();
  ns = await createNamespace("tp-swap");
  await apply(ns.name, sampleApp);
  await rolloutStatus(ns.name, "backend");
  await rolloutStatus(ns.name, "web");
}, 120_000);

afterAll(async () => {
  await ns?.remove();
});

describe("tp docker-run --swap-deployment", () => {
  it("gives the container the pod's environment, resolved by the cluster", async () => {
    const r = await runTp([
      "docker-run",
      "-n",
      ns.name,
      "--swap-deployment",
      "web",
      "--",
      "tp-test-busybox:local",
      "sh",
      "-c",
      "echo '--- env ---'; env; echo '--- end env ---'",
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    const env = envOf(r.stdout);
    expect(env["LITERAL"]).toBe("a literal value");
    expect(env["GREETING_FROM_CM"]).toBe("hello from the config map");
    expect(env["API_TOKEN"]).toBe("s3cr3t-token");
    expect(env["CFG_LOG_LEVEL"]).toBe("debug");
    expect(env["CFG_MOTD"]).toBe("first line\nsecond line\n".trimEnd());
    expect(env["MY_NAMESPACE"]).toBe(ns.name);
    expect(env["TELEPRESENCE_POD"]).toMatch(/^web-tp-[0-9a-f]{8}$/);
    expect(env["MY_POD_NAME"]).toBe(env["TELEPRESENCE_POD"]);
    expect(env["TELEPRESENCE_CONTAINER"]).toBe("web");
    expect(env["TELEPRESENCE_METHOD"]).toBe("container");
    expect(env["BACKEND_SERVICE_HOST"]).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(env["BACKEND_SERVICE_PORT"]).toBe("80");
    expect(env["KUBERNETES_SERVICE_HOST"]).toBeDefined();
    expect(env["PATH"]).not.toContain("tp-agent");
  });

  it("resolves cluster names, reaches services, and restores the deployment afterwards", async () => {
    const before = JSON.parse(await kubectl(["get", "deployment", "web", "-n", ns.name, "-o", "json"]));
    const script = [
      'for n in backend backend.$MY_NAMESPACE backend.$MY_NAMESPACE.svc.cluster.local; do echo "== $n"; wget -qO- http://$n/hello; done',
      "echo '== srv'; nslookup -type=SRV _http._tcp.backend.$MY_NAMESPACE.svc.cluster.local",
      "echo '== clusterip'; wget -qO- http://$BACKEND_SERVICE_HOST/ip",
      "echo '== ready'; i=0; while [ ! -e /tmp/stop ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done",
    ].join("; ");
    const tp = new RunningTp([
      "docker-run",
      "-n",
      ns.name,
      "--swap-deployment",
      "web",
      "--",
      "--name",
      `tp-e2e-${ns.name}`,
      "tp-test-busybox:local",
      "sh",
      "-c",
      script,
    ]);
    try {
      await tp.waitFor(/== ready/, 90_000);
      expect(tp.stdout).toMatch(/== backend\n\{"name":"backend"[^\n]*"url":"\/hello"/);
      expect(tp.stdout).toMatch(new RegExp(`== backend\\.${ns.name}\\n\\{"name":"backend"`));
      expect(tp.stdout).toMatch(
        new RegExp(`== backend\\.${ns.name}\\.svc\\.cluster\\.local\\n\\{"name":"backend"`),
      );
      expect(tp.stdout).toMatch(
        /== srv[\s\S]*service = \d+ \d+ 80 backend\.[\s\S]*== clusterip\n\{"name":"backend"/,
      );
      // While the session runs: no pods of its own, and the Service's endpoints are the proxy.
      const during = JSON.parse(await kubectl(["get", "deployment", "web", "-n", ns.name, "-o", "json"]));
      expect(during.spec.replicas).toBe(0);
      const pods = JSON.parse(await kubectl(["get", "pods", "-n", ns.name, "-l", "app=web", "-o", "json"]));
      const live = pods.items.filter(
        (p: { metadata: { deletionTimestamp?: string } }) => !p.metadata.deletionTimestamp,
      );
      expect(live.map((p: { metadata: { name: string } }) => p.metadata.name)).toEqual([
        expect.stringMatching(/^web-tp-/),
      ]);
      const ep = JSON.parse(await kubectl(["get", "endpoints", "web", "-n", ns.name, "-o", "json"]));
      expect(ep.subsets[0].addresses.map((a: { ip: string }) => a.ip)).toEqual([live[0].status.podIP]);
      // A Service created after the session started resolves and answers; a missing name fails fast.
      const user = `tp-e2e-${ns.name}`;
      await kubectl([
        "expose",
        "deployment",
        "backend",
        "-n",
        ns.name,
        "--name",
        "late",
        "--port",
        "81",
        "--target-port",
        "8080",
      ]);
      expect(JSON.parse(await execOut(user, ["wget", "-qO-", "http://late:81/late"]))).toMatchObject({
        name: "backend",
        url: "/late",
      });
      const started = Date.now();
      const missing = await execOut(user, ["sh", "-c", "nslookup no-such-service-xyz 2>&1; true"]);
      expect(missing).toMatch(/NXDOMAIN|can't find/);
      expect(Date.now() - started).toBeLessThan(5_000);
      // tp status sees the live session; a second swap of the same Deployment names it.
      const status = JSON.parse((await runTp(["status", "-n", ns.name, "-o", "json"])).stdout) as {
        sessions: { id: string; state: string; deployment?: string }[];
      };
      const id = /web-tp-([0-9a-f]{8})/.exec(tp.stderr)?.[1];
      expect(status.sessions).toContainEqual(
        expect.objectContaining({ id, state: "live", deployment: "web" }),
      );
      const second = await runTp([
        "docker-run",
        "-n",
        ns.name,
        "--swap-deployment",
        "web",
        "--",
        "tp-test-busybox:local",
        "true",
      ]);
      expect(second.exitCode).toBe(255);
      expect(second.stderr).toContain(`already swapped by tp session ${id}`);
      await execIn(user, ["touch", "/tmp/stop"]);
      expect(await tp.exit()).toBe(0);
      expect(tp.stderr).toMatch(/deployment .*web restored to 2 replicas/);
      const after = JSON.parse(await kubectl(["get", "deployment", "web", "-n", ns.name, "-o", "json"]));
      expect(after.spec).toEqual(before.spec);
      expect(after.metadata.annotations ?? {}).toEqual(before.metadata.annotations ?? {});
      await rolloutStatus(ns.name, "web");
    } finally {
      await tp.kill();
    }
  });

  it("exits with the container's exit code", async () => {
    const r = await runTp([
      "docker-run",
      "-n",
      ns.name,
      "--swap-deployment",
      "web",
      "--",
      "tp-test-busybox:local",
      "sh",
      "-c",
      "exit 7",
    ]);
    expect(r.exitCode, r.stderr).toBe(7);
    const d = await testKube(ns.name).apps.readNamespacedDeployment({ name: "web", namespace: ns.name });
    expect(d.spec?.replicas).toBe(2);
  });

  it("restores everything after SIGINT and exits 130", async () => {
    const tp = new RunningTp([
      "docker-run",
      "-n",
      ns.name,
      "--swap-deployment",
      "web",
      "--",
      "tp-test-busybox:local",
      "sh",
      "-c",
      "echo started; sleep 300",
    ]);
    try {
      await tp.waitFor(/started/, 90_000);
      tp.process.kill("SIGINT");
      expect(await tp.exit()).toBe(130);
      const d = JSON.parse(await kubectl(["get", "deployment", "web", "-n", ns.name, "-o", "json"]));
      expect(d.spec.replicas).toBe(2);
      expect(d.metadata.annotations?.["tp.dev/session"]).toBeUndefined();
      const pods = await kubectl([
        "get",
        "pods",
        "-n",
        ns.name,
        "-l",
        "app.kubernetes.io/managed-by=tp",
        "-o",
        "name",
      ]);
      const remaining = pods.split("\n").filter(Boolean);
      for (const p of remaining) {
        // Gone by now, or at least being deleted.
        const obj = JSON.parse(
          (await kubectl(["get", p, "-n", ns.name, "-o", "json", "--ignore-not-found"])) || "{}",
        );
        if (obj.metadata) expect(obj.metadata.deletionTimestamp).toBeDefined();
      }
      const session = /web-tp-([0-9a-f]{8})/.exec(tp.stderr)?.[1];
      expect(session).toBeDefined();
      expect(await containersOf(session as string)).toEqual([]);
    } finally {
      await tp.kill();
    }
  });
});

async function containersOf(session: string): Promise<string[]> {
  const { execa } = await import("execa");
  const r = await execa("docker", ["ps", "-aq", "--filter", `label=dev.tp.session=${session}`]);
  return r.stdout.split("\n").filter(Boolean);
}

async function execOut(container: string, cmd: string[]): Promise<string> {
  const { execa } = await import("execa");
  return (await execa("docker", ["exec", container, ...cmd])).stdout;
}

async function execIn(container: string, cmd: string[]): Promise<void> {
  const { execa } = await import("execa");
  await execa("docker", ["exec", container, ...cmd]);
}
