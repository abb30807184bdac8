import { mkdir, writeFile } from "node:fs/promises";
import type { V1Pod } from "@kubernetes/client-node";
import type { PodContainer } from "./docker-runtime.js";
import { infraConfig } from "./infra-config.js";
import type { KubeletContext } from "./kubelet-context.js";
import { infraName } from "./labels.js";
import { hostsFile, resolvConf } from "./pod-files.js";

/** The files every container of a pod mounts over /etc. */
export interface PodFiles {
  hosts: string;
  resolvConf: string;
  /** The folder of the port-forward socket the infra container serves (mounted at /pf). */
  portForward: string;
}

/**
 * Creates and starts the pod's infra container (its sandbox) with the pod's resolv.conf, then
 * writes /etc/hosts with the pod IP it got. `mark` records start milestones.
 */
export async function startSandbox(
  ctx: KubeletContext,
  pod: V1Pod,
  files: PodFiles,
  attempt: number,
  mark: (what: string) => void,
): Promise<PodContainer> {
  await writeFile(files.resolvConf, resolvConf(pod, ctx.dnsIP));
  await writeFile(files.hosts, hostsFile(pod, ""));
  await mkdir(files.portForward, { recursive: true });
  mark("volumes ready");
  const created = await ctx.docker.createContainer(infraConfig(pod, ctx.network, files, attempt));
  mark("infra created");
  await created.start();
  mark("infra started");
  const info = await created.inspect();
  const podIP = info.NetworkSettings.Networks[ctx.network]?.IPAddress ?? "";
  await writeFile(files.hosts, hostsFile(pod, podIP));
  return { id: created.id, name: infraName, role: "infra", attempt, info };
}
