import { Command } from "commander";
import { formatStatus, projectStatus } from "../../project/index.js";
import { dockerFrom } from "../clients.js";
import type { GlobalOptions } from "../options.js";
import { examples } from "../examples.js";

export const psCommand = new Command("ps")
  .description("list a project's services and their state")
  .option(
    "-f, --file <file>",
    "project file (default: tp.yaml, tp.yml, or compose.yaml with x-tp, here or above)",
  )
  .option("-p, --project-name <name>", "project name (default: name: in the file, else the folder's name)")
  .action(async function (this: Command, flags: { file?: string; projectName?: string }) {
    const global = this.optsWithGlobals<GlobalOptions>();
    const status = await projectStatus(flags, dockerFrom());
    process.stdout.write(
      global.output === "json" ? JSON.stringify(status, null, 2) + "\n" : formatStatus(status),
    );
  });

examples(psCommand, [
  ["tp ps", "the services of ./tp.yaml and their state"],
  ["tp ps -o json", "as JSON"],
]);
