import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import pkg from "../../package.json" with { type: "json" };

const run = promisify(execFile);

describe("the built tp command", () => {
  it("answers --help through npx", async () => {
    const { stdout } = await run("npx", ["--no-install", "tp", "--help"]);
    expect(stdout).toContain("Usage: tp [options] [command]");
    expect(stdout).toContain("version");
  });

  it("prints its version and the agent image through npx", async () => {
    const { stdout } = await run("npx", ["--no-install", "tp", "version"]);
    expect(stdout).toBe(`tp ${pkg.version}\nagent image: tp-agent:${pkg.version}\n`);
  });

  it("exits non-zero with commander's message on a wrong flag", async () => {
    const err = await run("npx", ["--no-install", "tp", "version", "--bogus"]).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 2 });
    expect((err as { stderr: string }).stderr).toContain("unknown option '--bogus'");
  });

  it("reports the agent image version equal to the CLI's", async () => {
    const cli = await run("node", ["dist/cli/tp.js", "--output", "json", "version"]);
    const agent = await run("docker", ["run", "--rm", JSON.parse(cli.stdout).agentImage, "version"]);
    expect(agent.stdout.trim()).toBe(`tp-agent ${JSON.parse(cli.stdout).version}`);
  });
});
