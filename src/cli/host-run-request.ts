import type { Command } from "commander";
import type { HostRunRequest } from "../session/host-run-session.js";
import { kubeFrom } from "./clients.js";
import { loadConfig } from "./config/index.js";
import { parseExpose } from "./expose.js";
import type { GlobalOptions } from "./options.js";
import { autoExposes, destinations, volumesOf, workloadOf, type WorkloadFlags } from "./workload-options.js";

/**
 * tp run / tp shell: the session request from the flags and the config files (checked before
 * anything starts), and the cluster client for the chosen namespace.
 */
export function hostRunRequest(
  command: Command,
  flags: WorkloadFlags,
  program: HostRunRequest["command"],
  interactive: boolean,
): { request: HostRunRequest; kube: ReturnType<typeof kubeFrom> } {
  const global = command.optsWithGlobals<GlobalOptions>();
  const config = loadConfig({
    "agent-image": flags.agentImage,
    namespace: global.namespace,
    "never-proxy": flags.neverProxy,
    "also-proxy": flags.alsoProxy,
    mount: flags.mount === "false" ? false : flags.mount,
  });
  const workload = workloadOf(flags);
  const request: HostRunRequest = {
    workload,
    sidecar: {
      expose: flags.expose.map(parseExpose),
      alsoProxy: destinations(config["also-proxy"].value ?? [], "--also-proxy", true),
      neverProxy: destinations(config["never-proxy"].value ?? [], "--never-proxy", false),
    },
    autoExpose: autoExposes(flags, workload),
    envFile: flags.envFile,
    envJson: flags.envJson,
    agentImage: config["agent-image"].value ?? "",
    volumes: volumesOf(flags, config.mount.value, false),
    context: global.context,
    command: program,
    interactive,
  };
  return { request, kube: kubeFrom({ ...global, namespace: config.namespace.value }) };
}
