import { bashScript } from "./bash-script.js";
import type { CommandSpec } from "./command-tree.js";

/** zsh runs the bash script through its bashcompinit layer: one script to keep right. */
export function zshScript(tree: CommandSpec, bin = "tp"): string {
  return `# ${bin} completion for zsh: source <(${bin} completion zsh)
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bashScript(tree, bin).split("\n").slice(1).join("\n")}`;
}
