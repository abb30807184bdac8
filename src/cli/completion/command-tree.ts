import type { Command } from "commander";

/** Options whose values are workloads of the current namespace (completed by `tp __complete`). */
export const workloadOptions = ["--swap-deployment", "--intercept", "--deployment"];

export interface OptionSpec {
  flags: string[];
  takesValue: boolean;
  choices: string[];
  description: string;
  workload: boolean;
}

export interface CommandSpec {
  /** The words from `tp` to this command: [] for tp itself, ["agent-image", "build"]. */
  path: string[];
  description: string;
  commands: CommandSpec[];
  /** Its own options and those of the commands above it (commander accepts them anywhere). */
  options: OptionSpec[];
  /** Choices of its first argument (`tp completion bash|zsh|fish`). */
  argumentChoices: string[];
}

function optionsOf(cmd: Command): OptionSpec[] {
  return cmd
    .createHelp()
    .visibleOptions(cmd)
    .map((o) => ({
      flags: [o.short, o.long].filter((f): f is string => f !== undefined),
      takesValue: o.required || o.optional,
      choices: o.argChoices ?? [],
      description: o.description,
      workload: o.long !== undefined && workloadOptions.includes(o.long),
    }));
}

/** The command tree as completion scripts need it, read from commander (hidden commands left out). */
export function commandTree(cmd: Command, path: string[] = [], inherited: OptionSpec[] = []): CommandSpec {
  const own = optionsOf(cmd);
  const ownFlags = new Set(own.flatMap((o) => o.flags));
  const options = [...own, ...inherited.filter((o) => !o.flags.some((f) => ownFlags.has(f)))];
  const forChildren = path.length === 0 ? own.filter((o) => !o.flags.includes("--version")) : options;
  return {
    path,
    description: cmd.description(),
    commands: cmd
      .createHelp()
      .visibleCommands(cmd)
      .filter((c) => c.name() !== "help")
      .map((c) => commandTree(c, [...path, c.name()], forChildren)),
    options,
    argumentChoices: cmd.registeredArguments[0]?.argChoices ?? [],
  };
}

/** Every command of the tree, tp first. */
export function allCommands(tree: CommandSpec): CommandSpec[] {
  return [tree, ...tree.commands.flatMap(allCommands)];
}
