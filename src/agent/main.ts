#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { formatError } from "../errors.js";
import { version } from "../version.js";
import { envCommand } from "./commands/env.js";
import { pipeCommand } from "./commands/pipe.js";
import { proxyCommand } from "./commands/proxy.js";
import { sidecarCommand } from "./commands/sidecar.js";
import { wardenCommand } from "./commands/warden.js";

/** The tp-agent program: one image, several roles (proxy in the pod, sidecar on the host). */
export function createAgentProgram(): Command {
  const program = new Command("tp-agent")
    .description("tp's agent: the tunnel end in the proxy pod and in the local sidecar")
    .version(version, "--version")
    .exitOverride();
  program
    .command("version")
    .description("print the agent version")
    .action(() => {
      process.stdout.write(`tp-agent ${version}\n`);
    });
  for (const command of [proxyCommand, sidecarCommand, pipeCommand, envCommand, wardenCommand])
    program.addCommand(command);
  return program;
}

async function run(): Promise<number> {
  try {
    await createAgentProgram().parseAsync(process.argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    process.stderr.write(formatError(err) + "\n");
    return 255;
  }
}

process.exitCode = await run();
