import { Command } from "commander";
import { projectInit } from "../../project/index.js";
import { kubeFrom, progressFrom } from "../clients.js";
import type { GlobalOptions } from "../options.js";
import { examples } from "../examples.js";

export const initCommand = new Command("init")
  .description("write a commented starter tp.yaml for a Deployment (its containers, ports and env names)")
  .argument("[deployment]", "DEPLOYMENT[:CONTAINER] (default: the only Deployment in the namespace)")
  .option("-f, --file <file>", 'where to write it ("-" for stdout)', "tp.yaml")
  .option("--force", "overwrite an existing file")
  .action(async function (
    this: Command,
    deployment: string | undefined,
    flags: { file: string; force?: boolean },
  ) {
    const global = this.optsWithGlobals<GlobalOptions>();
    const written = await projectInit(kubeFrom(global), {
      ...(deployment ? { deployment } : {}),
      file: flags.file,
      force: flags.force === true,
    });
    if (written !== "-") progressFrom(global).info(`wrote ${written}; check it with \`tp up --dry-run\``);
  });

examples(initCommand, [
  ["tp init web", "a starter tp.yaml for Deployment web"],
  ["tp init web:app -f dev.yaml --force", "container app, another file, overwritten"],
]);
