import { execa } from "execa";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubectl, requireCluster } from "./support/cluster.js";
import {
  assignedUid,
  fromClient,
  limitedKubeconfig,
  lockedDownNamespaces,
  replicas,
  sessionObjects,
  stop,
  swap,
  swapThenKill,
  type Ns,
} from "./support/locked-down.js";
import { runTp } from "./support/tp.js";
import { until } from "./support/workloads.js";

// Clusters locked down as companies run them (see support/locked-down.ts).

let restricted: Ns;
let uidRange: Ns;
let limited: Ns;

beforeAll(async () => {
  requireCluster();
  ({ restricted, uidRange, limited } = await lockedDownNamespaces());
}, 180_000);

afterAll(async () => {
  await Promise.all([restricted?.remove(), uidRange?.remove(), limited?.remove()]);
});

describe("Pod Security restricted", () => {
  it("refuses a pod that breaks the level with the real plugin's message", async () => {
    const r = await execa(
      "kubectl",
      [
        "--kubeconfig",
        ".test-cluster/kubeconfig",
        "run",
        "x",
        "-n",
        restricted.name,
        "--image=tp-test-busybox:local",
        "--restart=Never",
        "--",
        "sleep",
        "1",
      ],
      { reject: false },
    );
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain(
      `pods "x" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "x" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "x" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "x" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "x" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")`,
    );
  });

  it(
    "swap, --expose of port 80, volumes and the restore after kill -9 all work",
    { timeout: 240_000 },
    async () => {
      await swapThenKill(restricted.name, async (proxy) => {
        const pod = JSON.parse(await kubectl(["get", "pod", proxy, "-n", restricted.name, "-o", "json"]));
        expect(JSON.stringify(pod.spec)).not.toContain("runAsUser");
        expect(
          (await kubectl(["exec", "-n", restricted.name, proxy, "-c", "app", "--", "id", "-u"])).trim(),
        ).toBe("1000");
        // The warden was admitted too, and runs.
        await until(
          "the warden runs",
          async () =>
            /Running/.test(await kubectl(["get", "pods", "-n", restricted.name, "-l", "tp.dev/role=warden"])),
          30_000,
        );
      });
    },
  );
});

describe("a namespace that assigns UIDs", () => {
  it(
    "the proxy and the warden run under the assigned UID, and the session works as under restricted",
    { timeout: 240_000 },
    async () => {
      await swapThenKill(uidRange.name, async (proxy) => {
        const ns = uidRange.name;
        expect((await kubectl(["exec", "-n", ns, proxy, "-c", "app", "--", "id", "-u"])).trim()).toBe(
          String(assignedUid),
        );
        let warden = "";
        await until(
          "the warden runs",
          async () => {
            const out = await kubectl([
              "get",
              "pods",
              "-n",
              ns,
              "-l",
              "tp.dev/role=warden",
              "-o",
              "jsonpath={.items[0].metadata.name} {.items[0].status.phase}",
            ]);
            warden = out.split(" ")[0] ?? "";
            return out.endsWith("Running");
          },
          30_000,
        );
        expect((await kubectl(["exec", "-n", ns, warden, "--", "id", "-u"])).trim()).toBe(
          String(assignedUid),
        );
      });
    },
  );

  it("refuses a pod whose UID is outside the range", async () => {
    const pod = `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"fixed"},"spec":{"containers":[{"name":"c","image":"tp-test-busybox:local","securityContext":{"runAsUser":1000}}]}}`;
    const r = await execa(
      "kubectl",
      ["--kubeconfig", ".test-cluster/kubeconfig", "create", "-n", uidRange.name, "-f", "-"],
      {
        input: pod,
        reject: false,
      },
    );
    expect(r.stderr).toContain("must be in the ranges: [1000680000, 1000689999]");
  });
});

describe("a user limited to one namespace, without RBAC rights", () => {
  const env = { KUBECONFIG: limitedKubeconfig };

  it(
    "runs a session without the warden, says so once, and tp cleanup undoes it after kill -9",
    { timeout: 240_000 },
    async () => {
      const ns = limited.name;
      const name = `tp-e2e-limited`;
      const tp = swap(ns, name, env);
      let session = "";
      try {
        await tp.waitFor(/listening on 8080/, 90_000);
        session = /web-tp-([0-9a-f]{8})/.exec(tp.stderr)?.[1] as string;
        expect(JSON.parse(await fromClient(ns, "http://web/y"))).toMatchObject({ name: "local", url: "/y" });
        expect(tp.stderr.match(/crash-safe warden is off/g)).toHaveLength(1);
        expect(tp.stderr).toContain('cannot create resource "roles"');
        await until("the deployment is scaled to 0", async () => (await replicas(ns)).replicas === 0, 15_000);
        tp.process.kill("SIGKILL");
        await tp.processExited();
        // Nothing in the cluster undoes it: the deployment stays swapped.
        await new Promise((r) => setTimeout(r, 3000));
        expect((await replicas(ns)).holder).toBe(session);
        const cleanup = await runTp(["cleanup", "-n", ns], { env });
        expect(cleanup.exitCode, cleanup.stderr).toBe(0);
        expect(await replicas(ns)).toEqual({ replicas: 2, holder: undefined });
        expect(await sessionObjects(ns)).toEqual([]);
      } finally {
        await stop(tp);
        await runTp(["cleanup", "-n", ns], { env });
        if (session) await execa("docker", ["rm", "-f", name, `tp-${session}-sidecar`], { reject: false });
      }
    },
  );
});

interface Report {
  ok: boolean;
  checks: {
    name: string;
    status: string;
    message: string;
    missing?: { right: string; required: boolean }[];
  }[];
}

async function doctor(
  ns: string,
  env: Record<string, string> = {},
): Promise<{ code: number; report: Report; ms: number }> {
  const r = await runTp(["doctor", "-n", ns, "-o", "json"], { env, timeoutMs: 60_000 });
  return { code: r.exitCode, report: JSON.parse(r.stdout) as Report, ms: r.ms };
}

const check = (report: Report, name: string) => report.checks.find((c) => c.name === name);

describe("tp doctor", () => {
  it("passes in a restricted namespace, naming the level, and runs the agent image there", async () => {
    const { code, report, ms } = await doctor(restricted.name);
    expect(code, JSON.stringify(report)).toBe(0);
    expect(report.checks.map((c) => `${c.name}:${c.status}`)).toEqual([
      "docker:ok",
      "cluster:ok",
      "rights:ok",
      "pod-security:ok",
      "quota:ok",
      "agent-image:ok",
      "clock:ok",
    ]);
    expect(check(report, "pod-security")?.message).toContain("enforces restricted");
    expect(check(report, "agent-image")?.message).toContain("(UID 1000)");
    console.log(`tp doctor took ${ms} ms`);
    expect(ms).toBeLessThan(10_000);
    // Nothing is left behind.
    expect(await sessionObjects(restricted.name)).toEqual([]);
  });

  it("in a UID-range namespace the image runs under the assigned UID", async () => {
    const { code, report } = await doctor(uidRange.name);
    expect(code).toBe(0);
    expect(check(report, "agent-image")?.message).toContain(`(UID ${assignedUid})`);
  });

  it("as the limited user names exactly the missing rights and what they disable, and passes", async () => {
    const { code, report } = await doctor(limited.name, { KUBECONFIG: limitedKubeconfig });
    expect(code).toBe(0);
    const rights = check(report, "rights");
    expect(rights?.status).toBe("warn");
    expect(rights?.missing?.map((m) => m.right).sort()).toEqual([
      "create rolebindings.rbac.authorization.k8s.io",
      "create roles.rbac.authorization.k8s.io",
      "delete rolebindings.rbac.authorization.k8s.io",
      "delete roles.rbac.authorization.k8s.io",
    ]);
    expect(rights?.message).toContain("crash-safe warden");
    // The namespace itself cannot be read by this user: the dry run still says what admission does.
    expect(check(report, "pod-security")?.status).toBe("ok");
  });

  it("fails where the user has no rights, naming what no session can do without", async () => {
    const { code, report } = await doctor(restricted.name, { KUBECONFIG: limitedKubeconfig });
    expect(code).toBe(1);
    expect(report.ok).toBe(false);
    const rights = check(report, "rights");
    expect(rights?.status).toBe("fail");
    expect(rights?.missing?.filter((m) => m.required).map((m) => m.right)).toContain(
      "create pods/portforward",
    );
  });

  it("fails within 10 s with one line when the cluster does not answer", async () => {
    // A server on loopback that accepts connections and never answers.
    const sockets: Socket[] = [];
    const silent = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const port = (silent.address() as { port: number }).port;
    const dir = mkdtempSync(join(tmpdir(), "tp-doctor-"));
    try {
      const config = join(dir, "config");
      writeFileSync(
        config,
        readFileSync(".test-cluster/kubeconfig", "utf8").replace(
          /server: .*/,
          `server: https://127.0.0.1:${port}`,
        ),
      );
      const r = await runTp(["doctor"], { env: { KUBECONFIG: config } });
      expect(r.exitCode).toBe(255);
      expect(r.ms).toBeLessThan(10_000);
      expect(r.stderr.trim().split("\n")).toEqual([
        `tp: cannot reach the cluster at https://127.0.0.1:${port}: the cluster did not answer within 5 s`,
      ]);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
