import { TpError } from "../errors.js";
import { readDeployment } from "./deployments.js";
import { kubeCall } from "../kube/kube-call.js";
import type { Kube } from "../kube/kube.js";
import type { RemoteEnd, StartOptions } from "../kube/remote-end.js";
import { isPodReady } from "./wait-for-pod.js";

/** Whether a container runs tp-agent in role proxy. */
function isProxyContainer(c: { command?: string[]; args?: string[]; image?: string }): boolean {
  const argv = [...(c.command ?? []), ...(c.args ?? [])];
  return (
    argv.includes("proxy") && (argv.some((a) => a.includes("tp-agent")) || /tp-agent/.test(c.image ?? ""))
  );
}

/** --deployment NAME: an existing Deployment whose pod already runs tp-agent as a proxy. Nothing to undo. */
export async function useExistingDeployment(
  kube: Kube,
  options: StartOptions & { name: string },
): Promise<RemoteEnd> {
  const { namespace, name } = options;
  const deployment = await readDeployment(kube, namespace, name);
  const container = deployment.spec?.template.spec?.containers.find(isProxyContainer);
  if (!container) {
    throw new TpError("config", `deployment ${namespace}/${name} does not run tp-agent in role proxy`, {
      hint: "use --swap-deployment to replace its pods with a proxy, or --new-deployment for a new one",
    });
  }
  const selector = Object.entries(deployment.spec?.selector.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  const pods = await kubeCall(`list pods of deployment ${namespace}/${name}`, () =>
    kube.core.listNamespacedPod({ namespace, labelSelector: selector }),
  );
  const pod = pods.items.find((p) => isPodReady(p) && !p.metadata?.deletionTimestamp);
  if (!pod) throw new TpError("cluster-error", `deployment ${namespace}/${name} has no ready pod`);
  return {
    namespace,
    pod: pod.metadata?.name as string,
    container: container.name,
    admitted: pod,
    running: Promise.resolve(),
    description: `deployment ${namespace}/${name}`,
    ready: Promise.resolve(),
    restore: async () => [],
  };
}
