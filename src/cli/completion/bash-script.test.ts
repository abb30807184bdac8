import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProgram } from "../index.js";
import { bashScript } from "./bash-script.js";
import { commandTree } from "./command-tree.js";

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "tp-completion-"));
  writeFileSync(join(dir, "tp.bash"), bashScript(commandTree(createProgram())));
  // The `tp` the script asks for workloads: answers as `tp __complete workloads` would, and
  // records the arguments it was given.
  writeFileSync(
    join(dir, "tp"),
    `#!/bin/sh\necho "$@" > ${join(dir, "args")}\n[ "$1 $2" = "__complete workloads" ] && printf 'web\\nbackend\\nworker\\n'\n`,
  );
  chmodSync(join(dir, "tp"), 0o755);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What bash offers for the command line `line` (the cursor at its end), from the sourced script. */
function complete(line: string): string[] {
  const words = line.split(" ");
  const script = `source ${join(dir, "tp.bash")}
COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}
_tp; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const out = execFileSync("bash", ["--norc", "--noprofile", "-c", script], {
    encoding: "utf8",
    env: { PATH: `${dir}:${process.env.PATH}` },
  });
  return out.split("\n").filter(Boolean).sort();
}

describe("bash completion", () => {
  it("completes commands", () => {
    expect(complete("tp docker-r")).toEqual(["docker-run"]);
    expect(complete("tp agent-image ")).toEqual(["build", "load", "push"]);
  });

  it("completes a command's flags", () => {
    expect(complete("tp docker-run --swap-d")).toEqual(["--swap-deployment"]);
    expect(complete("tp -n dev docker-run --no-")).toEqual(["--no-auto-expose", "--no-original-mounts"]);
  });

  it("completes --swap-deployment with the namespace's workloads", () => {
    expect(complete("tp docker-run -n dev --swap-deployment w")).toEqual(["web", "worker"]);
    expect(execFileSync("cat", [join(dir, "args")], { encoding: "utf8" }).trim()).toBe(
      "__complete workloads -n dev",
    );
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
