import type { Command } from "commander";

/** End a command's --help with examples: [command line, what it does]. */
export function examples(command: Command, lines: [string, string][]): Command {
  const width = Math.max(...lines.map(([c]) => c.length));
  const text = lines.map(([c, what]) => `  $ ${c.padEnd(width)}  # ${what}`).join("\n");
  return command.addHelpText("after", `\nExamples:\n${text}`);
}
