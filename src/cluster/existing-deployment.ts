import { TpError } from "../errors.js";
import { describeRef } from "../contract/workload-ref.js";
import { findWorkload } from "./workloads.js";
import { kubeCall } from "../kube/kube-call.js";
import type { Kube } from "../kube/kube.js";
import type { RemoteEnd, StartOptions } from "../kube/remote-end.js";
import { isContainerRunning } from "./wait-for-pod.js";

/** Whether a container runs tp-agent in role proxy. */
function isProxyContainer(c: { command?: string[]; args?: string[]; image?: string }): boolean {
  const argv = [...(c.command ?? []), ...(c.args ?? [])];
  return (
    argv.includes("proxy") && (argv.some((a) => a.includes("tp-agent")) || /tp-agent/.test(c.image ?? ""))
  );
}

/** --deployment [KIND/]NAME: an existing workload whose pod already runs tp-agent as a proxy. Nothing to undo. */
export async function useExistingDeployment(
  kube: Kube,
  options: StartOptions & { name: string; type?: string },
): Promise<RemoteEnd> {
  const { namespace } = options;
  const found = await findWorkload(kube, namespace, options);
  const id = describeRef(found.ref, namespace);
  const deployment = found.object;
  const container = deployment.spec?.template?.spec?.containers.find(isProxyContainer);
  if (!container) {
    throw new TpError("config", `${id} does not run tp-agent in role proxy`, {
      hint: "use --swap-deployment to replace its pods with a proxy, or --new-deployment for a new one",
    });
  }
  const matchLabels = deployment.spec?.selector?.matchLabels;
  const selector = Object.entries(matchLabels ?? deployment.spec?.template?.metadata?.labels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  const pods = await kubeCall(`list pods of ${id}`, () =>
    kube.core.listNamespacedPod({ namespace, labelSelector: selector }),
  );
  // Its agent runs: a proxy whose readiness says "a session is connected" is not Ready before one.
  const pod = pods.items.find((p) => isContainerRunning(p, container.name) && !p.metadata?.deletionTimestamp);
  if (!pod) throw new TpError("cluster-error", `${id} has no running proxy pod`);
  return {
    namespace,
    pod: pod.metadata?.name as string,
    container: container.name,
    admitted: pod,
    running: Promise.resolve(),
    description: id,
    ready: Promise.resolve(),
    restore: async () => [],
  };
}
