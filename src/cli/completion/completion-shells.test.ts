import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProgram } from "../index.js";
import { bashScript } from "./bash-script.js";
import { commandTree } from "./command-tree.js";
import { fishScript } from "./fish-script.js";
import { zshScript } from "./zsh-script.js";

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "tp-completion-"));
  const tree = commandTree(createProgram());
  writeFileSync(join(dir, "tp.bash"), bashScript(tree));
  writeFileSync(join(dir, "tp.zsh"), zshScript(tree));
  writeFileSync(join(dir, "tp.fish"), fishScript(tree));
  // The `tp` the scripts ask for workloads: answers as `tp __complete workloads` would, and
  // records the arguments it was given.
  writeFileSync(
    join(dir, "tp"),
    `#!/bin/sh\necho "$@" > ${join(dir, "args")}\n[ "$1 $2" = "__complete workloads" ] && printf 'web\\nbackend\\nworker\\n'\n`,
  );
  chmodSync(join(dir, "tp"), 0o755);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = () => ({ PATH: `${dir}:${process.env.PATH}`, HOME: dir });
const lines = (out: string) => out.split("\n").filter(Boolean).sort();
const sq = (w: string) => `'${w.replace(/'/g, "'\\''")}'`;

/** What bash offers for the command line `line` (the cursor at its end), from the sourced script. */
function bash(line: string): string[] {
  const words = line.split(" ");
  const script = `source ${join(dir, "tp.bash")}
COMP_WORDS=(${words.map(sq).join(" ")}); COMP_CWORD=${words.length - 1}
_tp; printf '%s\\n' "\${COMPREPLY[@]}"`;
  return lines(
    execFileSync("bash", ["--norc", "--noprofile", "-c", script], { encoding: "utf8", env: env() }),
  );
}

/**
 * What zsh offers: the script sourced (compinit, bashcompinit), then what zsh's _bash_complete
 * does for a completion (COMP_WORDS and COMP_CWORD from the line, `compgen -F _tp`), and the
 * words that start with the current one, as compadd keeps them (zsh's compgen does not filter).
 */
function zsh(line: string): string[] {
  const script = `source ${join(dir, "tp.zsh")}
words=( ${line.split(" ").map(sq).join(" ")} )
CURRENT=\${#words}
local -x COMP_POINT COMP_CWORD
local -a COMP_WORDS COMPREPLY
(( COMP_CWORD = CURRENT - 1 ))
COMP_WORDS=( "\${words[@]}" )
print -l -r -- \${(M)\${(f)"$(compgen -F _tp -- \${words[CURRENT]})"}:#\${words[CURRENT]}*}`;
  return lines(execFileSync("zsh", ["-f", "-c", script], { encoding: "utf8", env: env() }));
}

/** What fish offers (`complete -C`), without the descriptions. */
function fish(line: string): string[] {
  const script = `source ${join(dir, "tp.fish")}; complete -C ${sq(line)}`;
  const out = execFileSync("fish", ["--no-config", "-c", script], { encoding: "utf8", env: env() });
  return lines(out).map((l) => l.split("\t")[0] ?? "");
}

const shells = { bash, zsh, fish };

describe.each(Object.keys(shells) as (keyof typeof shells)[])("%s completion", (shell) => {
  const complete = shells[shell];

  beforeAll(() => {
    try {
      execFileSync("sh", ["-c", `command -v ${shell}`], { stdio: "ignore" });
    } catch {
      throw new Error(`${shell} is not installed: run bash scripts/ensure-shells.sh (as root)`);
    }
  });

  it("completes commands", () => {
    expect(complete("tp docker-r")).toEqual(["docker-run"]);
    expect(complete("tp agent-image ")).toEqual(["build", "load", "push"]);
  });

  it("completes a command's flags", () => {
    expect(complete("tp docker-run --swap-d")).toEqual(["--swap-deployment"]);
    expect(complete("tp -n dev docker-run --no-")).toEqual(["--no-auto-expose", "--no-original-mounts"]);
  });

  it("completes --swap-deployment with the workloads of the namespace the command line names", () => {
    expect(complete("tp docker-run -n dev --swap-deployment w")).toEqual(["web", "worker"]);
    expect(readFileSync(join(dir, "args"), "utf8").trim()).toBe("__complete workloads -n dev");
    expect(complete("tp --context prod docker-run --swap-deployment ")).toEqual(["backend", "web", "worker"]);
    expect(readFileSync(join(dir, "args"), "utf8").trim()).toBe("__complete workloads --context prod");
  });

  it("completes choices of values and arguments", () => {
    expect(complete("tp status -o j")).toEqual(["json"]);
    expect(complete("tp agent-image load k")).toEqual(["k3d", "kind"]);
    expect(complete("tp completion ")).toEqual(["bash", "fish", "zsh"]);
  });

  it("offers nothing of its own after --", () => {
    expect(complete("tp docker-run -- --sw")).toEqual([]);
  });
});
