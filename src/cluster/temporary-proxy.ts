import { kubeCall } from "./kube-call.js";
import type { Kube } from "./kube.js";
import { deletePod } from "./pods.js";
import { temporaryProxyPod } from "./proxy-pod.js";
import type { RemoteEnd, StartOptions } from "./remote-end.js";
import { waitForPodReady } from "./wait-for-pod.js";

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
  let ready: Promise<void>;
  try {
    const end = options.step?.(`starting proxy pod ${name}`);
    await kubeCall(`create pod ${namespace}/${name}`, () =>
      kube.core.createNamespacedPod({ namespace, body: pod }),
    );
    await waitForPodReady(kube, namespace, name, 120_000, { running: container });
    ready = waitForPodReady(kube, namespace, name).then(() => end?.(`proxy pod ${name} ready`));
    ready.catch(() => undefined);
  } catch (err) {
    await restore().catch(() => undefined);
    throw err;
  }
  return { namespace, pod: name, container, description: `proxy pod ${namespace}/${name}`, ready, restore };
}
