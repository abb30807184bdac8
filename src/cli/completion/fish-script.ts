import { allCommands, type CommandSpec } from "./command-tree.js";

const q = (text: string) => `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

/** The condition that the command line is at `path` (and not in one of its subcommands). */
function at(c: CommandSpec): string {
  if (c.path.length === 0) return "__fish_use_subcommand";
  const seen = c.path.map((w) => `__fish_seen_subcommand_from ${w}`).join("; and ");
  const subs = c.commands.map((s) => s.path.at(-1)).join(" ");
  return subs ? `${seen}; and not __fish_seen_subcommand_from ${subs}` : seen;
}

/**
 * A fish function that prints the command line's -n/--namespace, --context and --kubeconfig (with
 * their values), so that workloads are those of the namespace the command will use.
 */
const kubeArgs = (bin: string) => `function __${bin}_kube_args
    set -l words (commandline -opc)
    set -e words[1]
    while set -q words[1]
        switch $words[1]
            case --
                return
            case -n --namespace --context --kubeconfig
                set -q words[2]; and printf '%s\\n' $words[1] $words[2]
                set -e words[1]
            case '--namespace=*' '--context=*' '--kubeconfig=*'
                printf '%s\\n' $words[1]
        end
        set -e words[1]
    end
end`;

/** A fish completion script for the tree; workloads come from `tp __complete workloads`. */
export function fishScript(tree: CommandSpec, bin = "tp"): string {
  const lines = [
    `# ${bin} completion for fish: ${bin} completion fish | source`,
    kubeArgs(bin),
    `complete -c ${bin} -f`,
  ];
  for (const c of allCommands(tree)) {
    const cond = `-n ${q(at(c))}`;
    for (const s of c.commands)
      lines.push(`complete -c ${bin} ${cond} -a ${s.path.at(-1)} -d ${q(s.description)}`);
    if (!c.commands.length && c.argumentChoices.length)
      lines.push(`complete -c ${bin} ${cond} -a ${q(c.argumentChoices.join(" "))}`);
    const own = c.path.length === 0 ? c.options : c.options.filter((o) => !tree.options.includes(o));
    for (const o of own) {
      const names = o.flags
        .map((f) => (f.startsWith("--") ? `-l ${f.slice(2)}` : `-s ${f.slice(1)}`))
        .join(" ");
      const value = o.workload
        ? ` -x -a ${q(`(${bin} __complete workloads (__${bin}_kube_args))`)}`
        : o.choices.length
          ? ` -x -a ${q(o.choices.join(" "))}`
          : o.takesValue
            ? " -r"
            : "";
      const where = c.path.length === 0 ? "" : `${cond} `;
      lines.push(`complete -c ${bin} ${where}${names}${value} -d ${q(o.description)}`);
    }
  }
  return lines.join("\n") + "\n";
}
