import { Command, Option } from "commander";
import { projectUp } from "../../project/index.js";
import { configuredAgentImage } from "../config/index.js";
import { engineFrom, progressFrom } from "../clients.js";
import { projectFileOption, projectNameOption, type GlobalOptions } from "../options.js";
import { examples } from "../examples.js";

interface UpFlags {
  file?: string;
  projectName?: string;
  profile: string[];
  build?: boolean;
  detach?: boolean;
  dryRun?: boolean;
  background?: boolean;
  agentImage?: string;
}

/** The global options again, for the background process. */
function globalArgs(global: GlobalOptions): string[] {
  const args: string[] = [];
  if (global.kubeconfig) args.push("--kubeconfig", global.kubeconfig);
  if (global.context) args.push("--context", global.context);
  if (global.namespace) args.push("--namespace", global.namespace);
  return args;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export const upCommand = new Command("up")
  .description(
    "start the services of a project file (tp.yaml): tp services with their sessions, plain ones locally",
  )
  .argument("[service...]", "start only these services (and what they depend on)")
  .addOption(projectFileOption())
  .addOption(projectNameOption())
  .option(
    "--profile <name>",
    "enable services of this profile (repeatable; also $COMPOSE_PROFILES)",
    collect,
    [],
  )
  .option("--build", "build images of services with build: before starting")
  .option("-d, --detach", "return once everything is up; a background tp carries the tunnels until `tp down`")
  .option("--dry-run", "check the file and images and print the plan; start nothing")
  .addOption(
    new Option(
      "--agent-image <image>",
      "the tp-agent image (default: $TP_AGENT_IMAGE or tp-agent:<version>)",
    ),
  )
  .addOption(new Option("--background").hideHelp())
  .action(async function (this: Command, services: string[], flags: UpFlags) {
    const global = this.optsWithGlobals<GlobalOptions>();
    const profiles = [
      ...flags.profile,
      ...(process.env["COMPOSE_PROFILES"] ?? "").split(",").filter(Boolean),
    ];
    process.exitCode = await projectUp(
      {
        ...(flags.file ? { file: flags.file } : {}),
        ...(flags.projectName ? { projectName: flags.projectName } : {}),
        services,
        profiles,
        build: flags.build === true,
        detach: flags.detach === true,
        dryRun: flags.dryRun === true,
        background: flags.background === true,
        agentImage: configuredAgentImage(flags.agentImage),
        backgroundArgs: (project) => [
          ...globalArgs(global),
          "up",
          "--file",
          project.file,
          "--project-name",
          project.name,
          "--agent-image",
          configuredAgentImage(flags.agentImage),
          ...profiles.flatMap((p) => ["--profile", p]),
          "--background",
          ...services,
        ],
      },
      global,
      engineFrom(),
      progressFrom(global),
    );
  });

examples(upCommand, [
  ["tp up", "start every service of ./tp.yaml"],
  ["tp up -d web", "web and what it depends on, in the background"],
  ["tp up --dry-run", "check the file and print the plan"],
]);
