import { Command } from "commander";
import { afterEach, describe, expect, it, vi } from "vitest";
import { TpError } from "../errors.js";
import { createProgram, main } from "./index.js";

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((s) => (out.push(String(s)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((s) => (err.push(String(s)), true));
  return { out, err };
}

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

describe("tp main", () => {
  it("prints the version and the agent image", async () => {
    const { out } = capture();
    expect(await main(["node", "tp", "version"])).toBe(0);
    expect(out.join("")).toMatch(/^tp \d+\.\d+\.\d+\nagent image: tp-agent:\d+\.\d+\.\d+\n$/);
  });

  it("prints the version as JSON with --output json", async () => {
    const { out } = capture();
    expect(await main(["node", "tp", "--output", "json", "version", "--agent-image", "x/agent:1"])).toBe(0);
    expect(JSON.parse(out.join(""))).toMatchObject({ agentImage: "x/agent:1" });
  });

  it("exits 2 with commander's message on a wrong flag", async () => {
    const { err } = capture();
    expect(await main(["node", "tp", "--no-such-flag"])).toBe(2);
    expect(err.join("")).toContain("unknown option '--no-such-flag'");
  });

  it("prints one line and a hint for an expected error", async () => {
    const { err } = capture();
    const program = createProgram();
    program.addCommand(
      new Command("fail").action(() => {
        throw new TpError("not-found", 'deployment "x" not found', { hint: "try tp status" });
      }),
    );
    expect(await main(["node", "tp", "fail"], program)).toBe(255);
    expect(err.join("")).toBe('tp: deployment "x" not found\n  hint: try tp status\n');
  });

  it("exits 255 with a stack for an unexpected exception", async () => {
    const { err } = capture();
    const program = createProgram();
    program.addCommand(
      new Command("crash").action(() => {
        throw new TypeError("boom");
      }),
    );
    expect(await main(["node", "tp", "crash"], program)).toBe(255);
    expect(err.join("")).toMatch(/this is a bug[\s\S]*TypeError: boom\n\s+at /);
  });
});
