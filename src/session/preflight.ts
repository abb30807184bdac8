import type Dockerode from "dockerode";
import type { Kube } from "../kube/kube.js";
import { kubeCall } from "../kube/kube-call.js";
import { requireAgentImage } from "../docker/images.js";
import { version } from "../version.js";
import { warnAboutLeftovers } from "./leftovers.js";
import type { Reporter } from "./reporter.js";
import { preflightWorkload, type Workload } from "./workload.js";

/**
 * What every way in checks before anything is created: the agent image, the cluster (one quick
 * call, so that an unreachable cluster fails fast and clearly, then the workload), and leftovers
 * of crashed sessions (a warning only).
 */
export async function checkBeforeStart(
  kube: Kube,
  docker: Dockerode,
  request: {
    agentImage: string;
    workload: Workload;
    sidecar?: { expose: { remotePort: number; protocol?: string }[] };
  },
  progress: Reporter,
): Promise<void> {
  await Promise.all([
    requireAgentImage(docker, request.agentImage, version, (t) => progress.info(t)),
    (async () => {
      await kubeCall("reach the cluster", () => kube.version.getCode(), 0, 8_000);
      progress.debug("cluster answered");
      await Promise.all([
        preflightWorkload(kube, request.workload, request.sidecar?.expose),
        warnAboutLeftovers(kube, docker, kube.namespace, progress).catch(() => undefined),
      ]);
    })(),
  ]);
}
