import { Command, CommanderError, Option } from "commander";
import { ExitCode, formatError, isTpError } from "../errors.js";
import { version } from "../version.js";
import { commandKey } from "./command-key.js";
import { agentImageCommand } from "./commands/agent-image.js";
import { cleanupCommand } from "./commands/cleanup.js";
import { completeCommand } from "./commands/complete.js";
import { completionCommand } from "./commands/completion.js";
import { configCommand } from "./commands/config.js";
import { dockerRunCommand } from "./commands/docker-run.js";
import { doctorCommand } from "./commands/doctor.js";
import { downCommand } from "./commands/down.js";
import { initCommand } from "./commands/init.js";
import { psCommand } from "./commands/ps.js";
import { runCommand } from "./commands/run.js";
import { shellCommand } from "./commands/shell.js";
import { upCommand } from "./commands/up.js";
import { statusCommand } from "./commands/status.js";
import { versionCommand } from "./commands/version.js";
import { examples } from "./examples.js";
import { outputOption } from "./options.js";

/** Assemble the `tp` program. Commands live one per file in ./commands. */
export function createProgram(): Command {
  const program = new Command("tp")
    .description("run a local container as if it were a pod of a Kubernetes Deployment")
    .version(version, "--version", "print the tp version")
    .option("-n, --namespace <ns>", "Kubernetes namespace (default: the context's)")
    .option("--context <name>", "kubeconfig context to use")
    .option("--kubeconfig <file>", "kubeconfig file (default: $KUBECONFIG or ~/.kube/config)")
    .option("-v, --verbose", "print more about what tp does")
    .addOption(new Option("-q, --quiet", "print no progress lines"))
    .addOption(outputOption)
    .showHelpAfterError("(run tp --help for usage)")
    .exitOverride();
  program.addCommand(dockerRunCommand);
  program.addCommand(runCommand);
  program.addCommand(shellCommand);
  program.addCommand(statusCommand);
  program.addCommand(cleanupCommand);
  program.addCommand(upCommand);
  program.addCommand(downCommand);
  program.addCommand(psCommand);
  program.addCommand(initCommand);
  program.addCommand(doctorCommand);
  program.addCommand(versionCommand);
  program.addCommand(agentImageCommand);
  program.addCommand(configCommand);
  program.addCommand(completionCommand);
  program.addCommand(completeCommand, { hidden: true });
  const exitOverride = (cmd: Command): void => {
    cmd.exitOverride();
    cmd.commands.forEach(exitOverride);
  };
  exitOverride(program);
  examples(program, [
    ["tp docker-run --swap-deployment web -- myimage:dev", "your container in place of web's pods"],
    ["tp up", "the services of ./tp.yaml"],
    ["tp agent-image build && tp agent-image load kind", "the agent image for a kind cluster"],
  ]);
  return program;
}

/** Run the program and return the exit code; never throws. */
export async function main(argv: string[], program: Command = createProgram()): Promise<number> {
  // Which command ran, for the launcher's code cache (see code-cache.ts).
  program.hook("preAction", (_program, command) => {
    (globalThis as Record<symbol, unknown>)[commandKey] = command.name();
  });
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed its message (or the help/version text).
      return err.exitCode === 0 ? 0 : ExitCode.Usage;
    }
    const json = program.opts<{ output?: string }>().output === "json";
    if (json && isTpError(err)) {
      process.stdout.write(JSON.stringify(err.toJSON()) + "\n");
    } else {
      process.stderr.write(formatError(err) + "\n");
    }
    return isTpError(err) ? err.exitCode : ExitCode.Failure;
  }
}
