import { execa } from "execa";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apply,
  createNamespace,
  kubectl,
  requireCluster,
  rolloutStatus,
  uniqueName,
} from "./support/cluster.js";
import { RunningTp, runTp } from "./support/tp.js";

const sampleApp = readFileSync("demo/sample-app.yaml", "utf8");
let ns: Awaited<ReturnType<typeof createNamespace>>;
let dir = "";

/** A busybox httpd that answers `text` on `port`. */
const httpd = (port: number, text: string) =>
  `["sh", "-c", "mkdir -p /www && echo ${text} > /www/index.html && exec httpd -f -p ${port} -h /www"]`;

function projectFile(name: string, scratch: string): string {
  return `
name: ${name}
x-tp:
  namespace: ${ns.name}
services:
  files:
    image: tp-test-busybox:local
    command: ${httpd(80, "from-files")}
    healthcheck: { test: ["CMD", "wget", "-qO-", "http://localhost/"], interval: 1s }
  web:
    image: tp-test-busybox:local
    command: ${httpd(8080, "from-web")}
    depends_on: { files: { condition: service_healthy } }
    x-tp:
      swap-deployment: web
  scratch:
    image: tp-test-busybox:local
    command: ${httpd(9000, "from-scratch")}
    x-tp:
      new-deployment: ${scratch}
      expose: [9000]
`;
}

async function exec(container: string, url: string): Promise<string> {
  const r = await execa("docker", ["exec", container, "wget", "-qO-", url], {
    reject: false,
    timeout: 30_000,
  });
  return `${r.stdout}${r.stderr}`.trim();
}

async function projectLeftovers(project: string): Promise<string[]> {
  const c = await execa("docker", ["ps", "-aq", "--filter", `label=dev.tp.project=${project}`]);
  const n = await execa("docker", ["network", "ls", "-q", "--filter", `label=dev.tp.project=${project}`]);
  return [...c.stdout.split("\n"), ...n.stdout.split("\n")].filter(Boolean);
}

async function forceRemove(project: string): Promise<void> {
  await runTp(["down", "-f", join(dir, "tp.yaml"), "-p", project], { timeoutMs: 120_000 }).catch(
    () => undefined,
  );
  for (const id of await projectLeftovers(project).catch(() => [])) {
    await execa("docker", ["rm", "-f", id], { reject: false });
    await execa("docker", ["network", "rm", id], { reject: false });
  }
}

async function deployment(
  name: string,
): Promise<{ spec: { replicas: number }; metadata: { annotations?: object } } | undefined> {
  const r = await kubectl(["get", "deployment", name, "-n", ns.name, "-o", "json", "--ignore-not-found"]);
  return r.trim() ? JSON.parse(r) : undefined;
}

beforeAll(async () => {
  requireCluster();
  ns = await createNamespace("tp-project");
  await apply(ns.name, sampleApp);
  await rolloutStatus(ns.name, "backend");
  await rolloutStatus(ns.name, "web");
  dir = mkdtempSync(join(tmpdir(), "tp-project-e2e-"));
}, 180_000);

afterAll(async () => {
  await ns?.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("tp up / tp down", () => {
  it("tp up -d: services reach each other by name and the cluster by DNS; tp down restores everything", async () => {
    const project = uniqueName("tpp");
    const scratch = uniqueName("scratch");
    const file = join(dir, "tp.yaml");
    writeFileSync(file, projectFile(project, scratch));
    const before = await deployment("web");
    try {
      const up = await runTp(["up", "-d", "-f", file], { timeoutMs: 300_000 });
      expect(up.exitCode, up.stderr).toBe(0);
      expect(up.stderr).toMatch(/running in the background/);

      const web = `tp-${project}-web`;
      const scratchC = `tp-${project}-scratch`;
      // tp service -> tp service, plain service, cluster Service by DNS name
      expect(await exec(scratchC, "http://web:8080/")).toBe("from-web");
      expect(await exec(scratchC, "http://files/")).toBe("from-files");
      expect(await exec(scratchC, "http://backend/hello")).toMatch(/"name":"backend"/);
      expect(await exec(web, "http://scratch:9000/")).toBe("from-scratch");
      expect(await exec(web, `http://backend.${ns.name}.svc.cluster.local/hello`)).toMatch(
        /"name":"backend"/,
      );
      // plain service -> tp service
      expect(await exec(`tp-${project}-files`, "http://web:8080/")).toBe("from-web");
      // A cluster pod reaches the swapped service's local container through its Service.
      const fetchWeb = `fetch("http://web/").then(r=>r.text()).then(t=>console.log(t.trim()))`;
      expect(await kubectl(["exec", "-n", ns.name, "deploy/backend", "--", "node", "-e", fetchWeb])).toBe(
        "from-web",
      );
      const fetchScratch = `fetch("http://${scratch}:9000/").then(r=>r.text()).then(t=>console.log(t.trim()))`;
      expect(await kubectl(["exec", "-n", ns.name, "deploy/backend", "--", "node", "-e", fetchScratch])).toBe(
        "from-scratch",
      );
      expect((await deployment("web"))?.spec.replicas).toBe(0);

      const ps = await runTp(["ps", "-f", file, "-o", "json"]);
      const status = JSON.parse(ps.stdout) as {
        status: string;
        services: { service: string; state: string }[];
      };
      expect(status.status).toBe("up");
      expect(status.services.map((s) => [s.service, s.state])).toEqual([
        ["files", "running"],
        ["web", "running"],
        ["scratch", "running"],
      ]);

      const down = await runTp(["down", "-f", file], { timeoutMs: 180_000 });
      expect(down.exitCode, down.stderr).toBe(0);
      const after = await deployment("web");
      expect(after?.spec).toEqual(before?.spec);
      expect(after?.metadata.annotations ?? {}).toEqual(before?.metadata.annotations ?? {});
      expect(await deployment(scratch)).toBeUndefined();
      expect(await projectLeftovers(project)).toEqual([]);
      await rolloutStatus(ns.name, "web");
    } finally {
      await forceRemove(project);
    }
  }, 600_000);

  it("tp up in the foreground: SIGINT stops and restores everything, exit 130", async () => {
    const project = uniqueName("tpp");
    const file = join(dir, "fg.yaml");
    writeFileSync(file, projectFile(project, uniqueName("scratch")));
    const tp = new RunningTp(["up", "-f", file]);
    try {
      await tp.waitFor(/is up: files, web, scratch/, 300_000, "stderr");
      expect((await deployment("web"))?.spec.replicas).toBe(0);
      tp.process.kill("SIGINT");
      expect(await tp.exit()).toBe(130);
      const d = await deployment("web");
      expect(d?.spec.replicas).toBe(2);
      expect(d?.metadata.annotations).not.toHaveProperty(["tp.dev/session"]);
      expect(await projectLeftovers(project)).toEqual([]);
    } finally {
      await tp.kill();
      await forceRemove(project);
    }
  }, 600_000);
});
