import type { Command } from "commander";
import type { HostRunRequest } from "../session/host-run-session.js";
import type { SessionRequest } from "../session/session.js";
import { kubeFrom } from "./clients.js";
import { loadConfig } from "./config/index.js";
import { parseExpose } from "./expose.js";
import type { GlobalOptions } from "./options.js";
import { autoExposes, destinations, volumesOf, workloadOf, type WorkloadFlags } from "./workload-options.js";

/** What every way of running a session asks, from its flags and the config files. */
export type SessionRequestBase = Omit<SessionRequest, "publish"> & { envFile?: string; envJson?: string };

/**
 * The part of a session request that docker-run, run and shell share, checked before anything
 * starts, and how to make the cluster client for the chosen namespace.
 */
export function sessionRequestBase(
  command: Command,
  flags: WorkloadFlags,
  originalMounts: boolean,
): { base: SessionRequestBase; kube: () => ReturnType<typeof kubeFrom> } {
  const global = command.optsWithGlobals<GlobalOptions>();
  const config = loadConfig({
    "agent-image": flags.agentImage,
    namespace: global.namespace,
    "never-proxy": flags.neverProxy,
    "also-proxy": flags.alsoProxy,
    mount: flags.mount === "false" ? false : flags.mount,
  });
  const workload = workloadOf(flags);
  const base: SessionRequestBase = {
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
    volumes: volumesOf(flags, config.mount.value, originalMounts),
    context: global.context,
  };
  // Made once the rest is checked, so that a usage error comes before one of the kubeconfig.
  return { base, kube: () => kubeFrom({ ...global, namespace: config.namespace.value }) };
}

/** tp run / tp shell: the session request and the cluster client. */
export function hostRunRequest(
  command: Command,
  flags: WorkloadFlags,
  program: HostRunRequest["command"],
  interactive: boolean,
): { request: HostRunRequest; kube: ReturnType<typeof kubeFrom> } {
  const { base, kube } = sessionRequestBase(command, flags, false);
  return { request: { ...base, command: program, interactive }, kube: kube() };
}
