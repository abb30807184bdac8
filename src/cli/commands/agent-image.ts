import { Argument, Command } from "commander";
import {
  buildAgentImage,
  loadImage,
  loaders,
  pushImage,
  withVersionTag,
  type Loader,
} from "../../docker/agent-image-ops.js";
import { defaultAgentImage } from "../../version.js";
import {
  configuredAgentImage,
  projectConfigName,
  projectConfigPath,
  userConfigPath,
} from "../config/index.js";
import { writeConfigValue } from "../config/write-config.js";
import { examples } from "../examples.js";
import type { GlobalOptions } from "../options.js";
import { progressFrom } from "../clients.js";
import { join } from "node:path";

const build = new Command("build")
  .description("build the tp-agent image of this tp version from the installed package, with Docker")
  .option("--tag <image>", "the image name", defaultAgentImage)
  .action(async function (this: Command, opts: { tag: string }) {
    const progress = progressFrom(this.optsWithGlobals<GlobalOptions>());
    await buildAgentImage(opts.tag, (line) => progress.info(line));
    process.stdout.write(`${opts.tag}\n`);
  });

const push = new Command("push")
  .description("tag the tp-agent image as REGISTRY/REPO[:TAG] (default tag: this version) and push it")
  .argument("<ref>", "REGISTRY/REPO[:TAG]")
  .option("--image <image>", "the local image to push", defaultAgentImage)
  .option("--save [where]", "write agent-image to the config file: user (default) or project")
  .action(async function (this: Command, ref: string, opts: { image: string; save?: string | true }) {
    const image = withVersionTag(ref);
    await pushImage(opts.image, image);
    if (opts.save === undefined) {
      process.stdout.write(`TP_AGENT_IMAGE=${image}\n`);
      return;
    }
    const where = opts.save === true ? "user" : opts.save;
    const file =
      where === "project"
        ? (projectConfigPath(process.cwd()) ?? join(process.cwd(), projectConfigName))
        : userConfigPath();
    writeConfigValue(file, "agent-image", image);
    process.stdout.write(`agent-image: ${image} written to ${file}\n`);
  });

const load = new Command("load")
  .description("load the tp-agent image into a local cluster with that tool's own command")
  .addArgument(new Argument("<tool>", "the cluster's tool").choices(Object.keys(loaders)))
  .argument("[cluster]", "the cluster's name (default: the tool's default)")
  .option("--image <image>", "the image to load (default: the configured agent image)")
  .action(async (tool: Loader, cluster: string | undefined, opts: { image?: string }) => {
    await loadImage(tool, configuredAgentImage(opts.image), cluster);
  });

export const agentImageCommand = new Command("agent-image")
  .description("build the tp-agent image and make it available to a cluster")
  .addCommand(build)
  .addCommand(push)
  .addCommand(load);

examples(build, [
  ["tp agent-image build", `builds ${defaultAgentImage}`],
  ["tp agent-image build --tag agent:dev", "under another name"],
]);
examples(push, [
  ["tp agent-image push registry.example.com/tp-agent", "prints TP_AGENT_IMAGE=... to export"],
  ["tp agent-image push registry.example.com/tp-agent --save", "writes agent-image to the user config"],
]);
examples(load, [
  ["tp agent-image load kind", "into the kind cluster named kind"],
  ["tp agent-image load k3d mycluster", "into the k3d cluster mycluster"],
  ["tp agent-image load minikube", "into minikube's default profile"],
]);
examples(agentImageCommand, [
  ["tp agent-image build && tp agent-image load kind", "a kind cluster, no registry"],
  ["tp agent-image build && tp agent-image push registry.example.com/tp-agent --save", "any cluster"],
]);
