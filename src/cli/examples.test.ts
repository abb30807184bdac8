import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { createProgram } from "./index.js";

function helpOf(cmd: Command): string {
  let out = "";
  cmd.configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (out += s) });
  cmd.outputHelp();
  return out;
}

function visible(cmd: Command): Command[] {
  const subs = cmd
    .createHelp()
    .visibleCommands(cmd)
    .filter((c) => c.name() !== "help");
  return [cmd, ...subs.flatMap(visible)];
}

describe("--help", () => {
  it("ends with two or three examples of tp itself for every command", () => {
    for (const cmd of visible(createProgram())) {
      const help = helpOf(cmd);
      const examples = help.split("\nExamples:\n")[1];
      expect(examples, `tp ${cmd.name()} --help`).toBeDefined();
      const lines = examples!.trimEnd().split("\n");
      expect(lines.length, cmd.name()).toBeGreaterThanOrEqual(2);
      expect(lines.length, cmd.name()).toBeLessThanOrEqual(3);
      for (const line of lines) expect(line).toMatch(/^ {2}\$ (cd \S+ && )?(tp |source <\(tp |echo |TP_)/);
    }
  });
});
