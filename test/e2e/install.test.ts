import { execa } from "execa";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { version } from "../../src/version.js";
import { apply, createNamespace, kubeconfig, kubectl, rolloutStatus, uniqueName } from "./support/cluster.js";

/**
 * The npm package on its own: packed from this checkout, installed into an empty prefix, and run
 * with nothing of the checkout on its way (its own PATH, HOME and config folder).
 */
const registry = `127.0.0.1:${process.env.TP_TEST_REGISTRY_PORT ?? "5055"}`;
let dir: string;
let env: Record<string, string>;
const removeImages: string[] = [];

function tp(args: string[], extra: Record<string, string> = {}) {
  return execa(join(dir, "prefix/bin/tp"), args, {
    env: { ...env, ...extra },
    extendEnv: false,
    reject: false,
    stdin: "ignore",
    timeout: 180_000,
  });
}

beforeAll(async () => {
  const up = await fetch(`http://${registry}/v2/`).catch(() => undefined);
  if (!up?.ok)
    throw new Error(`no registry answers on ${registry}: run bash scripts/ensure-registry.sh (as root)`);
  dir = mkdtempSync(join(tmpdir(), "tp-install-"));
  await execa("npm", ["pack", "--pack-destination", dir], { stdio: "ignore" });
  const tarball = readdirSync(dir).find((f) => f.endsWith(".tgz"));
  if (!tarball) throw new Error("npm pack made no tarball");
  // --offline: the package must need nothing from a registry.
  await execa("npm", ["install", "-g", "--offline", "--prefix", join(dir, "prefix"), join(dir, tarball)]);
  env = {
    PATH: `${join(dir, "prefix/bin")}:/usr/local/bin:/usr/bin:/bin`,
    HOME: join(dir, "home"),
    XDG_CONFIG_HOME: join(dir, "config"),
    KUBECONFIG: resolve(kubeconfig),
  };
}, 300_000);

afterAll(async () => {
  for (const image of removeImages) await execa("docker", ["image", "rm", image], { reject: false });
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the installed package", () => {
  it("runs tp --version and prints completion scripts", async () => {
    const r = await tp(["--version"]);
    expect(r.stdout.trim()).toBe(version);
    const bash = await tp(["completion", "bash"]);
    expect(bash.stdout).toContain("complete -F _tp tp");
  });

  it("says in one line what to install when kind is missing", async () => {
    const r = await tp(["agent-image", "load", "kind"]);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/kind is not installed: install kind/);
  });

  it("builds and pushes the agent image, and a swap session's proxy pod runs the pushed image", async () => {
    const local = `tp-e2e-packaged:${uniqueName("v")}`;
    removeImages.push(local);
    const built = await tp(["agent-image", "build", "--tag", local]);
    expect(built.exitCode, built.stderr).toBe(0);
    expect(built.stdout.trim()).toBe(local);
    const label = await execa("docker", [
      "image",
      "inspect",
      "-f",
      '{{ index .Config.Labels "dev.tp.version" }}',
      local,
    ]);
    expect(label.stdout.trim()).toBe(version);

    const repo = `${registry}/${uniqueName("tp-agent")}`;
    const pushed = await tp(["agent-image", "push", repo, "--image", local]);
    expect(pushed.exitCode, pushed.stderr).toBe(0);
    const image = `${repo}:${version}`;
    expect(pushed.stdout.trim()).toBe(`TP_AGENT_IMAGE=${image}`);
    const tags = (await (
      await fetch(`http://${repo.replace(registry, `${registry}/v2`)}/tags/list`)
    ).json()) as {
      tags: string[];
    };
    expect(tags.tags).toEqual([version]);
    // Only the registry has it now: tp pulls it for the sidecar, the pod runs it.
    await execa("docker", ["image", "rm", image]);
    removeImages.push(image);

    const ns = await createNamespace("tp-install");
    try {
      await apply(ns.name, readFileSync("demo/sample-app.yaml", "utf8"));
      await rolloutStatus(ns.name, "web");
      const session = tp(
        [
          "docker-run",
          "-n",
          ns.name,
          "--swap-deployment",
          "web",
          "--",
          "tp-test-busybox:local",
          "sh",
          "-c",
          "echo session-up; sleep 60",
        ],
        { TP_AGENT_IMAGE: pushed.stdout.trim().split("=")[1] ?? "" },
      );
      try {
        await new Promise<void>((done, fail) => {
          let out = "";
          session.stdout?.on("data", (c: Buffer) => (out += c.toString()).includes("session-up") && done());
          void session.then((r) => fail(new Error(`tp ended (${r.exitCode}):\n${r.stdout}\n${r.stderr}`)));
        });
        const images = await kubectl([
          "get",
          "pods",
          "-n",
          ns.name,
          "-l",
          "tp.dev/role=proxy",
          "-o",
          "jsonpath={.items[*].spec.containers[*].image}",
        ]);
        expect(images.split(" ")).toContain(image);
      } finally {
        session.kill("SIGINT");
        await session;
      }
    } finally {
      await ns.remove();
    }
  });
});
