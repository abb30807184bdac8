import { Command } from "commander";
import { listWorkloadNames } from "../../cluster/deployments.js";
import { kubeFrom } from "../clients.js";
import type { GlobalOptions } from "../options.js";

/** Hidden: the values completion scripts ask for while the user types. Prints nothing on errors. */
export const completeCommand = new Command("__complete")
  .description("values for shell completion")
  .argument("<what>", "workloads: the Deployments of the namespace")
  .action(async function (this: Command, what: string) {
    if (what !== "workloads") return;
    try {
      const names = await listWorkloadNames(kubeFrom(this.optsWithGlobals<GlobalOptions>()));
      process.stdout.write(names.map((n) => `${n}\n`).join(""));
    } catch {
      // A completion that cannot reach the cluster offers nothing.
    }
  });
