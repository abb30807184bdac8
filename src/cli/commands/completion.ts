import { Argument, Command } from "commander";
import { bashScript } from "../completion/bash-script.js";
import { commandTree } from "../completion/command-tree.js";
import { fishScript } from "../completion/fish-script.js";
import { zshScript } from "../completion/zsh-script.js";
import { examples } from "../examples.js";

const scripts = { bash: bashScript, zsh: zshScript, fish: fishScript };

export const completionCommand = new Command("completion")
  .description("print a shell completion script (commands, flags, and the namespace's workloads)")
  .addArgument(new Argument("<shell>", "the shell").choices(Object.keys(scripts)))
  .action(function (this: Command, shell: keyof typeof scripts) {
    const root = (c: Command): Command => (c.parent ? root(c.parent) : c);
    process.stdout.write(scripts[shell](commandTree(root(this))));
  });

examples(completionCommand, [
  ["source <(tp completion bash)", "in ~/.bashrc"],
  ["source <(tp completion zsh)", "in ~/.zshrc"],
  ["tp completion fish > ~/.config/fish/completions/tp.fish", "fish"],
]);
