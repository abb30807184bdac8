import { Command } from "commander";
import { rootRemover } from "../../docker/root-remover.js";
import { ExitCode, TpError } from "../../errors.js";
import { cleanupLeftovers, cleanupWays } from "../../session/cleanup-leftovers.js";
import { configuredAgentImage } from "../config/index.js";
import { dockerFrom, kubeFrom, progressFrom } from "../clients.js";
import type { GlobalOptions } from "../options.js";
import { examples } from "../examples.js";

export const cleanupCommand = new Command("cleanup")
  .description(
    "undo what crashed tp sessions left behind: restore swapped workloads, remove intercepts, delete proxies, remove containers",
  )
  .option("-A, --all-namespaces", "look in every namespace")
  .option("--session <id>", "clean up this session even if it still looks alive")
  .action(async function (this: Command, opts: { allNamespaces?: boolean; session?: string }) {
    const global = this.optsWithGlobals<GlobalOptions>();
    const progress = progressFrom(global);
    const kube = kubeFrom(global);
    const docker = dockerFrom();
    const ways = cleanupWays(kube, docker, rootRemover(docker, configuredAgentImage()));
    const { done, failed } = await cleanupLeftovers(
      ways,
      { namespace: opts.allNamespaces ? undefined : kube.namespace, session: opts.session },
      (text) => progress.warn(text),
    );
    if (global.output === "json") {
      // One object on stdout, failures included; the exit code tells that some failed.
      process.stdout.write(JSON.stringify({ done, failed }) + "\n");
      if (failed.length) process.exitCode = ExitCode.Failure;
      return;
    }
    if (done.length === 0 && failed.length === 0) progress.info("nothing to clean up");
    for (const line of done) process.stdout.write(`${line}\n`);
    if (failed.length)
      throw new TpError(
        "cleanup-incomplete",
        `${failed.length} cleanup step(s) failed, the others were done:\n  ${failed.join("\n  ")}`,
        { hint: "fix what is named and run tp cleanup again: it only undoes what is left" },
      );
  });

examples(cleanupCommand, [
  ["tp cleanup", "undo orphaned sessions of the current namespace, and their local leftovers"],
  ["tp cleanup -A", "in every namespace"],
]);
