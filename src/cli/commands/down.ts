import { Command } from "commander";
import { projectDown } from "../../project/index.js";
import { dockerFrom, progressFrom } from "../clients.js";
import type { GlobalOptions } from "../options.js";
import { examples } from "../examples.js";

export const downCommand = new Command("down")
  .description(
    "stop a project's services, restore its Deployments and remove its containers (also after a crash)",
  )
  .option(
    "-f, --file <file>",
    "project file (default: tp.yaml, tp.yml, or compose.yaml with x-tp, here or above)",
  )
  .option("-p, --project-name <name>", "project name (default: name: in the file, else the folder's name)")
  .action(async function (this: Command, flags: { file?: string; projectName?: string }) {
    const global = this.optsWithGlobals<GlobalOptions>();
    const progress = progressFrom(global);
    const done = await projectDown(flags, global, dockerFrom(), progress);
    if (global.output === "json") process.stdout.write(JSON.stringify({ done }) + "\n");
    else if (done.length === 0) progress.info("nothing to stop");
    else for (const line of done) process.stdout.write(`${line}\n`);
  });

examples(downCommand, [
  ["tp down", "stop the project of ./tp.yaml and restore its Deployments"],
  ["tp down -f ci/tp.yaml", "another project file"],
]);
