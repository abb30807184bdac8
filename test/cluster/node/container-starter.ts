import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { V1Container, V1Pod, V1VolumeMount } from "@kubernetes/client-node";
import { containerConfig } from "./container-config.js";
import { removeContainer } from "./docker-runtime.js";
import { verifyRunAsNonRoot } from "./run-as-non-root.js";
import { ContainerConfigError, resolveEnv } from "./env-resolver.js";
import type { KubeletContext } from "./kubelet-context.js";
import type { ContainerRole } from "./labels.js";
import { servicesForPod } from "./service-env.js";
import type { PreparedVolume } from "./volume-manager.js";

/** Why a container could not be started: the waiting reason and message of its status. */
export interface StartFailure {
  reason: string;
  message: string;
}

export interface StartRequest {
  pod: V1Pod;
  container: V1Container;
  role: ContainerRole;
  attempt: number;
  podIP: string;
  infraId: string;
  volumes: Map<string, PreparedVolume>;
  extraMount?: V1VolumeMount;
  podFiles: { hosts: string; resolvConf: string };
}

/** The host file that backs a container's terminationMessagePath. */
export function terminationLogPath(podDir: string, container: string, attempt: number): string {
  return join(podDir, "containers", container, `${attempt}-termination-log`);
}

/** Creates and starts one container of a pod; returns why not when it cannot. */
export async function startContainer(
  ctx: KubeletContext,
  req: StartRequest,
): Promise<StartFailure | undefined> {
  const { pod, container: c } = req;
  const image = c.image ?? "";
  const inspected = await ctx.docker
    .getImage(image)
    .inspect()
    .catch(() => undefined);
  if (!inspected) {
    return {
      reason: "ErrImageNeverPull",
      message: `Container image "${image}" is not present with pull policy of Never`,
    };
  }
  const rootError = verifyRunAsNonRoot(pod, c, inspected.Config?.User ?? "");
  if (rootError) return { reason: "CreateContainerConfigError", message: rootError };
  let env: Map<string, string>;
  try {
    const services = servicesForPod(
      ctx.services(),
      pod.metadata?.namespace ?? "default",
      pod.spec?.enableServiceLinks ?? true,
    );
    env = resolveEnv(pod, c, { podIP: req.podIP, hostIP: ctx.hostIP }, services, ctx.source);
  } catch (e) {
    if (e instanceof ContainerConfigError)
      return { reason: "CreateContainerConfigError", message: e.message };
    return { reason: "CreateContainerConfigError", message: String((e as Error).message ?? e) };
  }
  const uid = pod.metadata?.uid ?? "";
  const terminationLog = terminationLogPath(ctx.volumes.podDir(uid), c.name, req.attempt);
  await mkdir(join(terminationLog, ".."), { recursive: true });
  await writeFile(terminationLog, "");
  await chmod(terminationLog, 0o666);
  let config;
  try {
    config = containerConfig({ ...req, env, podFiles: { ...req.podFiles, terminationLog } });
  } catch (e) {
    return { reason: "CreateContainerConfigError", message: (e as Error).message };
  }
  let created;
  try {
    created = await ctx.docker.createContainer(config).catch(async (e: { statusCode?: number }) => {
      if (e.statusCode !== 409) throw e;
      // A container of that name is left from an earlier attempt: replace it.
      await removeContainer(ctx.docker, config.name ?? "");
      return ctx.docker.createContainer(config);
    });
  } catch (e) {
    return { reason: "CreateContainerError", message: (e as Error).message };
  }
  try {
    await created.start();
  } catch (e) {
    // The container stays (in state "created" with an error) and is reported as terminated with StartError.
    ctx.log(`start ${config.name}: ${(e as Error).message}`);
  }
  return undefined;
}
