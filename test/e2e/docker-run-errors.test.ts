import { execa } from "execa";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apply,
  createNamespace,
  kubectl,
  liveTpObjects,
  requireCluster,
  rolloutStatus,
} from "./support/cluster.js";
import { runTp } from "./support/tp.js";

let ns: Awaited<ReturnType<typeof createNamespace>>;
const twoContainers = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: pair }
spec:
  replicas: 1
  selector: { matchLabels: { app: pair } }
  template:
    metadata: { labels: { app: pair } }
    spec:
      containers:
        - { name: first, image: tp-test-busybox:local, command: [sleep, "3600"] }
        - { name: second, image: tp-test-busybox:local, command: [sleep, "3600"] }
`;

// "side" serves on 7771, the port the proxy's readiness probe takes, without declaring it: tp
// cannot know, and the proxy container of a swap of "web" cannot listen. It is started first.
const undeclaredPort = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: clash }
spec:
  replicas: 1
  selector: { matchLabels: { app: clash } }
  template:
    metadata: { labels: { app: clash } }
    spec:
      containers:
        - { name: side, image: tp-test-busybox:local, command: [httpd, -f, -p, "7771"] }
        - { name: web, image: tp-test-busybox:local, command: [sleep, "3600"] }
`;

/** The cluster's state that bad input must not change: its objects, and the Deployments' specs. */
async function snapshot(): Promise<string> {
  const out = await kubectl([
    "get",
    "deployments,pods,services,leases,serviceaccounts,roles",
    "-n",
    ns.name,
    "-o",
    "json",
  ]);
  type Item = {
    kind: string;
    metadata: { name: string; annotations?: Record<string, string> };
    spec?: unknown;
  };
  return JSON.stringify(
    (JSON.parse(out).items as Item[]).map((i) =>
      i.kind === "Deployment"
        ? [i.kind, i.metadata.name, i.metadata.annotations ?? {}, i.spec]
        : [i.kind, i.metadata.name],
    ),
  );
}

beforeAll(async () => {
  requireCluster();
  ns = await createNamespace("tp-errors");
  await apply(ns.name, twoContainers);
  await apply(ns.name, undeclaredPort);
  await rolloutStatus(ns.name, "pair");
  await rolloutStatus(ns.name, "clash");
}, 60_000);

afterAll(async () => {
  await ns?.remove();
});

/** One line (plus a hint) on stderr, exit code 255 or 2, nothing changed in the cluster. */
async function expectCleanFailure(args: string[], message: RegExp, code = 255): Promise<string> {
  const before = await snapshot();
  const r = await runTp(["docker-run", "-n", ns.name, ...args]);
  expect(r.exitCode, r.stderr).toBe(code);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
  expect(await snapshot()).toBe(before);
  return r.stderr;
}

describe("tp docker-run with bad input", () => {
  it("says that a namespace that does not exist does not exist", async () => {
    const r = await runTp([
      "docker-run",
      "-n",
      "tp-no-such-namespace",
      "--swap-deployment",
      "web",
      "--",
      "tp-test-busybox:local",
      "true",
    ]);
    expect(r.exitCode, r.stderr).toBe(255);
    expect(r.stderr).toMatch(/^tp: namespace tp-no-such-namespace does not exist$/m);
  });

  it("names the Deployments that exist when the one asked for does not", async () => {
    const err = await expectCleanFailure(
      ["--swap-deployment", "nope", "--", "tp-test-busybox:local", "true"],
      /deployment "nope" not found/,
    );
    expect(err).toMatch(/deployments in .*: clash, pair\b/);
  });

  it("lists the containers when the one asked for does not exist or none is named", async () => {
    await expectCleanFailure(
      ["--swap-deployment", "pair:third", "--", "tp-test-busybox:local", "true"],
      /has no container "third"[\s\S]*first, second/,
    );
    await expectCleanFailure(
      ["--swap-deployment", "pair", "--", "tp-test-busybox:local", "true"],
      /has 2 containers[\s\S]*first, second/,
      2,
    );
  });

  it("refuses an image that does not exist locally", async () => {
    await expectCleanFailure(
      ["--swap-deployment", "pair:first", "--", "tp-test-no-such-image:1", "true"],
      /image tp-test-no-such-image:1 does not exist locally/,
    );
  });

  it("refuses a malformed --expose and an unknown docker flag", async () => {
    await expectCleanFailure(
      ["--expose", "80:http", "--", "tp-test-busybox:local", "true"],
      /--expose 80:http/,
      2,
    );
    await expectCleanFailure(["--expose", "70000", "--", "tp-test-busybox:local", "true"], /not a port/, 2);
    await expectCleanFailure(
      ["--", "--network", "host", "tp-test-busybox:local", "true"],
      /--network is not supported/,
      2,
    );
  });

  it("fails within 10 s when the cluster does not answer", async () => {
    // A server that accepts connections and never says a word.
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const port = (silent.address() as { port: number }).port;
    const dir = mkdtempSync(join(tmpdir(), "tp-kubeconfig-"));
    const config = readFileSync(".test-cluster/kubeconfig", "utf8").replace(
      /server: .*/,
      `server: https://127.0.0.1:${port}`,
    );
    writeFileSync(join(dir, "config"), config);
    try {
      const r = await runTp(
        ["--kubeconfig", join(dir, "config"), "docker-run", "--", "tp-test-busybox:local", "true"],
        { timeoutMs: 30_000 },
      );
      expect(r.exitCode).toBe(255);
      expect(r.stderr).toMatch(/did not answer within \d+ s|cannot reach the cluster/);
      expect(r.ms).toBeLessThan(10_000);
    } finally {
      silent.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("leaves nothing behind when it fails after the proxy pod and the sidecar exist", async () => {
    // The user container cannot be created (its --name is taken): that is found only once the
    // session is up, with the proxy pod, its warden's objects, the Lease and the sidecar made.
    // tp's containers of sessions in this namespace (other files' sessions run meanwhile).
    const tpContainers = async () =>
      (
        await execa("docker", [
          "ps",
          "-a",
          "--filter",
          "label=dev.tp.managed-by=tp",
          "--format",
          '{{.ID}} {{.Label "dev.tp.remote"}}',
        ])
      ).stdout
        .split("\n")
        .filter((line) => line.split(" ")[1]?.startsWith(`${ns.name}/`))
        .join("\n");
    const before = await tpContainers();
    const taken = `tp-errors-taken-${process.pid}`;
    await execa("docker", ["create", "--name", taken, "tp-test-busybox:local", "true"]);
    try {
      const r = await runTp([
        "docker-run",
        "-n",
        ns.name,
        "--swap-deployment",
        "pair:first",
        "--",
        "--name",
        taken,
        "tp-test-busybox:local",
        "true",
      ]);
      // It got as far as starting the user's container.
      expect(r.stdout + r.stderr).toMatch(/starting tp-test-busybox:local/);
      expect(r.stderr).toMatch(/already in use/);
      expect(r.exitCode).not.toBe(0);
      // Deleted, or being deleted (a pod's grace period may still run).
      expect(await liveTpObjects(ns.name, "pods,leases,services,serviceaccounts,roles,rolebindings")).toEqual(
        [],
      );
      const pair = JSON.parse(await kubectl(["get", "deployment", "pair", "-n", ns.name, "-o", "json"])) as {
        metadata: { annotations?: Record<string, string> };
        spec: { replicas: number };
      };
      expect(pair.spec.replicas).toBe(1);
      expect(Object.keys(pair.metadata.annotations ?? {}).filter((k) => k.startsWith("tp.dev/"))).toEqual([]);
      expect(await tpContainers()).toBe(before);
      // The container that holds the name is the user's own: left as it was.
      const held = await execa("docker", ["inspect", "-f", "{{.Name}}", taken], { reject: false });
      expect(held.stdout.trim()).toBe(`/${taken}`);
    } finally {
      await execa("docker", ["rm", "-f", taken], { reject: false });
    }
  });

  it("says why the proxy container cannot run: the end of its log, with its CrashLoopBackOff", async () => {
    const r = await runTp([
      "docker-run",
      "-n",
      ns.name,
      "--swap-deployment",
      "clash:web",
      "--",
      "tp-test-busybox:local",
      "true",
    ]);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(
      /container web of pod .* cannot start: CrashLoopBackOff.*; its last run exited with code \d+: tp-listen: listen on any:7771: Address (already )?in use/,
    );
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
    expect(await liveTpObjects(ns.name, "pods,leases,services,serviceaccounts,roles,rolebindings")).toEqual(
      [],
    );
    const clash = JSON.parse(await kubectl(["get", "deployment", "clash", "-n", ns.name, "-o", "json"])) as {
      spec: { replicas: number };
    };
    expect(clash.spec.replicas).toBe(1);
  });
});
