import { kubeCall } from "../kube/kube-call.js";
import type { Kube } from "../kube/kube.js";
import { deletePod } from "../kube/pods.js";
import { temporaryProxyPod } from "./proxy-pod.js";
import type { RemoteEnd, StartOptions } from "../kube/remote-end.js";
import { proxyPodStages } from "./wait-for-pod.js";

/** No workload named: a proxy pod of the session's own, deleted at the end. */
export async function startTemporaryProxy(kube: Kube, options: StartOptions): Promise<RemoteEnd> {
  const { namespace, sessionId } = options;
  const pod = temporaryProxyPod({
    sessionId,
    agentImage: options.agentImage,
    info: { kind: "temporary", namespace },
  });
  const name = pod.metadata?.name as string;
  const restore = async (): Promise<string[]> =>
    (await deletePod(kube, namespace, name)) ? [`proxy pod ${namespace}/${name} deleted`] : [];
  const container = pod.spec?.containers[0]?.name as string;
  const end = options.step?.(`starting proxy pod ${name}`);
  let admitted;
  try {
    admitted = await kubeCall(`create pod ${namespace}/${name}`, () =>
      kube.core.createNamespacedPod({ namespace, body: pod }),
    );
  } catch (err) {
    await restore().catch(() => undefined);
    throw err;
  }
  // The caller undoes the session (restore) if the pod never runs.
  const { running, listening } = proxyPodStages(kube, namespace, name, container);
  const ready = listening.then(() => end?.(`proxy pod ${name} ready`));
  ready.catch(() => undefined);
  return {
    namespace,
    pod: name,
    container,
    admitted,
    running,
    listening,
    description: `proxy pod ${namespace}/${name}`,
    ready,
    restore,
  };
}
