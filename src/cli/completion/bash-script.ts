import { allCommands, type CommandSpec } from "./command-tree.js";

const quote = (words: string[]) => `'${words.join(" ").replace(/'/g, "")}'`;

/** One `case` branch a command: its subcommands, options, options with a value, workload options. */
function branch(c: CommandSpec): string {
  const flags = c.options.flatMap((o) => o.flags);
  const valued = c.options.filter((o) => o.takesValue).flatMap((o) => o.flags);
  const workload = c.options.filter((o) => o.workload).flatMap((o) => o.flags);
  const choices = c.options
    .filter((o) => o.choices.length)
    .flatMap((o) => o.flags.map((f) => `${f}=${o.choices.join(",")}`));
  const words = c.commands.length ? c.commands.map((s) => s.path.at(-1) ?? "") : c.argumentChoices;
  return [
    `    ${quote([c.path.join(" ")])})`,
    `      cmds=${quote(words)} opts=${quote(flags)} valued=${quote(valued)}`,
    `      workload=${quote(workload)} choices=${quote(choices)} ;;`,
  ].join("\n");
}

/** A bash completion script for the tree; workloads come from `tp __complete workloads`. */
export function bashScript(tree: CommandSpec, bin = "tp"): string {
  return `# ${bin} completion for bash: source <(${bin} completion bash)
_${bin}_spec() {
  case "$1" in
${allCommands(tree).map(branch).join("\n")}
    *) cmds='' opts='' valued='' workload='' choices='' ;;
  esac
}

_${bin}() {
  # Not "path": zsh (which runs this script through bashcompinit) ties that name to PATH.
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" at="" i w cmds opts valued workload choices
  local -a kube=()
  COMPREPLY=()
  _${bin}_spec ""
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    if [[ $w == -- ]]; then compopt -o default 2>/dev/null; return 0; fi
    if [[ " $valued " == *" $w "* ]]; then
      case "$w" in -n|--namespace|--context|--kubeconfig) kube+=("$w" "\${COMP_WORDS[i+1]}") ;; esac
      prev="$w"; ((i++)); continue
    fi
    if [[ $w != -* && " $cmds " == *" $w "* ]]; then
      at="\${at:+$at }$w"; _${bin}_spec "$at"
    fi
  done
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  if [[ $COMP_CWORD -gt 1 && " $valued " == *" $prev "* ]]; then
    if [[ " $workload " == *" $prev "* ]]; then
      COMPREPLY=($(compgen -W "$(${bin} __complete workloads "\${kube[@]}" 2>/dev/null)" -- "$cur"))
    else
      local c
      for c in $choices; do
        if [[ \${c%%=*} == "$prev" ]]; then
          c="\${c#*=}"; COMPREPLY=($(compgen -W "\${c//,/ }" -- "$cur")); return 0
        fi
      done
      compopt -o default 2>/dev/null
    fi
    return 0
  fi
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$cmds" -- "$cur"))
  fi
}
complete -F _${bin} ${bin}
`;
}
