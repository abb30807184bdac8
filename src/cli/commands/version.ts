import { Command } from "commander";
import { version } from "../../version.js";
import { configuredAgentImage } from "../config/index.js";
import type { GlobalOptions } from "../options.js";
import { examples } from "../examples.js";

export interface VersionInfo {
  version: string;
  agentImage: string;
  node: string;
}

export function versionInfo(explicitImage?: string): VersionInfo {
  return { version, agentImage: configuredAgentImage(explicitImage), node: process.version };
}

export const versionCommand = new Command("version")
  .description("print the tp version and the tp-agent image it uses")
  .option("--agent-image <image>", "tp-agent image to use (default: $TP_AGENT_IMAGE or tp-agent:<version>)")
  .action(function (this: Command, opts: { agentImage?: string }) {
    const global = this.optsWithGlobals<GlobalOptions>();
    const info = versionInfo(opts.agentImage);
    if (global.output === "json") {
      process.stdout.write(JSON.stringify(info) + "\n");
    } else {
      process.stdout.write(`tp ${info.version}\nagent image: ${info.agentImage}\n`);
    }
  });

examples(versionCommand, [
  ["tp version", "the tp version and the agent image in use"],
  ["tp version -o json", "as JSON"],
]);
