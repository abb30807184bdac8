import { Command, CommanderError } from "commander";
import { formatError } from "../errors.js";
import { version } from "../version.js";

/** The roles a program can run, each loaded when it runs. */
export type AgentRoles = Record<string, () => Promise<Command>>;

/** The tp-agent program: one image, several roles (proxy in the pod, sidecar on the host). */
async function createAgentProgram(roles: AgentRoles, argv = process.argv): Promise<Command> {
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

/** Run the program on this process's arguments; sets the exit code (2: usage, 255: failure). */
export function runAgent(roles: AgentRoles): void {
  void (async () => {
    try {
      await (await createAgentProgram(roles)).parseAsync(process.argv);
      return 0;
    } catch (err) {
      if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
      process.stderr.write(formatError(err) + "\n");
      return 255;
    }
  })().then((code) => {
    process.exitCode = code;
  });
}
