import { Command } from "commander";
import { projectDown } from "../../project/index.js";
import { engineFrom, progressFrom } from "../clients.js";
import { projectFileOption, projectNameOption, type GlobalOptions } from "../options.js";
import { examples } from "../examples.js";

export const downCommand = new Command("down")
  .description(
    "stop a project's services, restore its Deployments and remove its containers (also after a crash)",
  )
  .addOption(projectFileOption())
  .addOption(projectNameOption())
  .action(async function (this: Command, flags: { file?: string; projectName?: string }) {
    const global = this.optsWithGlobals<GlobalOptions>();
    const progress = progressFrom(global);
    const done = await projectDown(flags, global, engineFrom(), progress);
    if (global.output === "json") process.stdout.write(JSON.stringify({ done }) + "\n");
    else if (done.length === 0) progress.info("nothing to stop");
    else for (const line of done) process.stdout.write(`${line}\n`);
  });

examples(downCommand, [
  ["tp down", "stop the project of ./tp.yaml and restore its Deployments"],
  ["tp down -f ci/tp.yaml", "another project file"],
]);
