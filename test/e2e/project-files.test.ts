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
import { runTp } from "./support/tp.js";

const sampleApp = readFileSync("demo/sample-app.yaml", "utf8");
let dir = "";

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "tp-project-files-"));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function leftovers(project: string): Promise<string[]> {
  const c = await execa("docker", ["ps", "-aq", "--filter", `label=dev.tp.project=${project}`]);
  const n = await execa("docker", ["network", "ls", "-q", "--filter", `label=dev.tp.project=${project}`]);
  return [...c.stdout.split("\n"), ...n.stdout.split("\n")].filter(Boolean);
}

const ok = `    image: tp-test-busybox:local\n    command: ["sleep", "30"]\n`;

const badFiles: [string, string, RegExp][] = [
  [
    "an unknown field",
    `services:\n  web:\n${ok}    restart_policy: always\n`,
    /^tp: \S*bad\.yaml:6: services\.web\.restart_policy: unknown field$/m,
  ],
  [
    "two services swapping the same Deployment",
    `services:\n  a:\n${ok}    x-tp: { swap-deployment: web }\n  b:\n${ok}    x-tp:\n      swap-deployment: web:web\n`,
    /^tp: \S*bad\.yaml:11: services\.b\.x-tp\.swap-deployment: deployment "web" is already swapped by service a$/m,
  ],
  [
    "a cycle in depends_on",
    `services:\n  a:\n${ok}    depends_on: [b]\n  b:\n${ok}    depends_on:\n      a: { condition: service_started }\n`,
    /^tp: \S*bad\.yaml:6: services\.a\.depends_on: dependency cycle: a -> b -> a$/m,
  ],
  [
    "a missing image",
    `services:\n  a:\n${ok}  b:\n    image: tp-no-such-image:local\n`,
    /^tp: \S*bad\.yaml:7: services\.b\.image: image tp-no-such-image:local does not exist locally \(tp does not pull images\)$/m,
  ],
];

describe("bad project files", () => {
  for (const [what, text, message] of badFiles) {
    it(`${what}: one line naming the place, nothing started`, async () => {
      const project = uniqueName("tpbad");
      const file = join(dir, "bad.yaml");
      writeFileSync(file, `name: ${project}\n${text}`);
      const r = await runTp(["up", "-d", "-f", file]);
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.split("\n").filter((l) => l.startsWith("tp: "))).toHaveLength(1);
      expect(await leftovers(project)).toEqual([]);
    });
  }
});

describe("tp init", () => {
  let ns: Awaited<ReturnType<typeof createNamespace>>;
  beforeAll(async () => {
    requireCluster();
    ns = await createNamespace("tp-init");
    await apply(ns.name, sampleApp);
    await rolloutStatus(ns.name, "web");
  }, 120_000);
  afterAll(async () => {
    await ns?.remove();
  });

  it("writes a starter file that passes tp up --dry-run and docker-compose config", async () => {
    const file = join(dir, `init-${ns.name}.yaml`);
    const init = await runTp(["init", "web", "-n", ns.name, "-f", file]);
    expect(init.exitCode, init.stderr).toBe(0);
    const text = readFileSync(file, "utf8");
    expect(text).toContain("swap-deployment: web:web");
    expect(text).toContain(`namespace: ${ns.name}`);
    expect(text).toMatch(
      /web sets: PORT, NAME, LITERAL, GREETING_FROM_CM, API_TOKEN, MY_POD_NAME, MY_NAMESPACE/,
    );
    const dry = await runTp(["up", "--dry-run", "-f", file]);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(
      /1\. web: swap deployment web \(container web\), in namespace tp-init-\w+, image tp-test-echo:local/,
    );
    const compose = await execa("docker-compose", ["-f", file, "config", "-q"], { reject: false });
    expect(compose.exitCode, compose.stderr).toBe(0);
    // Nothing was touched.
    const d = JSON.parse(await kubectl(["get", "deployment", "web", "-n", ns.name, "-o", "json"]));
    expect(d.spec.replicas).toBe(2);
    const again = await runTp(["init", "web", "-n", ns.name, "-f", file]);
    expect(again.exitCode).toBe(255);
    expect(again.stderr).toMatch(/already exists/);
  });

  it("tp up --dry-run names a Deployment that x-tp names and the cluster lacks", async () => {
    const file = join(dir, `missing-${ns.name}.yaml`);
    writeFileSync(
      file,
      `x-tp: { namespace: ${ns.name} }\nservices:\n  a:\n${ok}    x-tp:\n      swap-deployment: nosuch\n`,
    );
    const dry = await runTp(["up", "--dry-run", "-f", file]);
    expect(dry.exitCode, dry.stderr).toBe(2);
    expect(dry.stderr).toMatch(
      /missing-\S+\.yaml:7: services\.a\.x-tp\.swap-deployment: deployment "nosuch" not found/,
    );
  });
});
