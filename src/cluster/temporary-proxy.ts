import { agentResourcesIn, withAgentResources } from "./agent-resources.js";
import type { Kube } from "../kube/kube.js";
import { deletePod } from "../kube/pods.js";
import { temporaryProxyPod } from "./proxy-pod.js";
import type { RemoteEnd, StartOptions } from "../kube/remote-end.js";
import { createProxyPod } from "./create-proxy-pod.js";

/** No workload named: a proxy pod of the session's own, deleted at the end. */
export async function startTemporaryProxy(kube: Kube, options: StartOptions): Promise<RemoteEnd> {
  const { namespace, sessionId } = options;
  const pod = temporaryProxyPod({
    sessionId,
    agentImage: options.agentImage,
    info: { kind: "temporary", namespace },
  });
  withAgentResources(pod.spec, await agentResourcesIn(kube, namespace));
  const name = pod.metadata?.name as string;
  const restore = async (): Promise<string[]> =>
    (await deletePod(kube, namespace, name)) ? [`proxy pod ${namespace}/${name} deleted`] : [];
  const container = pod.spec?.containers[0]?.name as string;
  const started = await createProxyPod(kube, options, pod, container, restore);
  return { namespace, ...started, description: `proxy pod ${namespace}/${name}`, restore };
}
