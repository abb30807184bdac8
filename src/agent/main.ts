#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { formatError } from "../errors.js";
import { version } from "../version.js";

/**
 * The roles, each loaded only when it runs: `pipe` is started for every tunnel transport and the
 * proxy at every pod start, so neither should pay for the warden's Kubernetes client.
 */
const roles: Record<string, () => Promise<Command>> = {
  proxy: async () => (await import("./commands/proxy.js")).proxyCommand,
  sidecar: async () => (await import("./commands/sidecar.js")).sidecarCommand,
  pipe: async () => (await import("./commands/pipe.js")).pipeCommand,
  env: async () => (await import("./commands/env.js")).envCommand,
  warden: async () => (await import("./commands/warden.js")).wardenCommand,
};

/** The tp-agent program: one image, several roles (proxy in the pod, sidecar on the host). */
export async function createAgentProgram(argv = process.argv): Promise<Command> {
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
  const one = argv[2] === undefined ? undefined : roles[argv[2]];
  const wanted = one ? [one] : Object.values(roles);
  for (const load of wanted) program.addCommand(await load());
  return program;
}

async function run(): Promise<number> {
  try {
    await (await createAgentProgram()).parseAsync(process.argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    process.stderr.write(formatError(err) + "\n");
    return 255;
  }
}

process.exitCode = await run();
