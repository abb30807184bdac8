import { Command } from "commander";
import { formatStatus, projectStatus } from "../../project/index.js";
import { engineFrom } from "../clients.js";
import { projectFileOption, projectNameOption, type GlobalOptions } from "../options.js";
import { examples } from "../examples.js";

export const psCommand = new Command("ps")
  .description("list a project's services and their state")
  .addOption(projectFileOption())
  .addOption(projectNameOption())
  .action(async function (this: Command, flags: { file?: string; projectName?: string }) {
    const global = this.optsWithGlobals<GlobalOptions>();
    const status = await projectStatus(flags, engineFrom());
    process.stdout.write(
      global.output === "json" ? JSON.stringify(status, null, 2) + "\n" : formatStatus(status),
    );
  });

examples(psCommand, [
  ["tp ps", "the services of ./tp.yaml and their state"],
  ["tp ps -o json", "as JSON"],
]);
