import type { V1Container, V1Deployment } from "@kubernetes/client-node";
import { TpError } from "../errors.js";
import { chooseContainer, readDeployment } from "./deployments.js";
import { kubeCall, kubeGet } from "../kube/kube-call.js";
import type { Kube } from "../kube/kube.js";
import { Annotations } from "../contract/cluster-labels.js";
import { mergePatch } from "../kube/patch.js";
import { restoreDeployment } from "../kube/restore.js";
import { swapProxyPod } from "./proxy-pod.js";
import type { RemoteEnd, StartOptions } from "../kube/remote-end.js";
import { deletePod } from "../kube/pods.js";
import { createProxyPod } from "./create-proxy-pod.js";

export interface SwapOptions extends StartOptions {
  deployment: string;
  container?: string;
  /** Told once when an autoscaler owns the replicas. */
  warn?: (text: string) => void;
}

/** The HorizontalPodAutoscaler that scales this Deployment, if any. */
async function autoscalerOf(kube: Kube, namespace: string, name: string): Promise<string | undefined> {
  const list = await kubeGet(`list horizontalpodautoscalers in ${namespace}`, () =>
    kube.autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace }),
  ).catch(() => undefined);
  const hpa = list?.items.find(
    (h) => h.spec?.scaleTargetRef.kind === "Deployment" && h.spec.scaleTargetRef.name === name,
  );
  return hpa?.metadata?.name;
}

/**
 * --swap-deployment: claim the Deployment (annotations that record the session and the replica
 * count), start the proxy pod from its pod template, and scale it to 0 once the proxy is Ready.
 */
/** Check that a Deployment can be swapped (it exists, has the container, no session holds it). */
export async function checkSwappable(
  kube: Kube,
  namespace: string,
  name: string,
  containerName?: string,
): Promise<{ deployment: V1Deployment; container: V1Container }> {
  const deployment = await readDeployment(kube, namespace, name);
  const container = chooseContainer(deployment, containerName);
  const holder = deployment.metadata?.annotations?.[Annotations.session];
  if (holder) {
    throw new TpError(
      "conflict",
      `deployment ${namespace}/${name} is already swapped by tp session ${holder}`,
      {
        hint: "end that session first, or run `tp cleanup` if it is gone",
      },
    );
  }
  return { deployment, container };
}

export async function swapDeployment(kube: Kube, options: SwapOptions): Promise<RemoteEnd> {
  const { namespace, sessionId } = options;
  const name = options.deployment;
  let checked = await checkSwappable(kube, namespace, name, options.container);
  const hpa = await autoscalerOf(kube, namespace, name);
  if (hpa) {
    options.warn?.(
      `deployment ${namespace}/${name} is scaled by HorizontalPodAutoscaler ${hpa}: tp leaves its replicas alone, so its pods keep serving part of the traffic`,
    );
  }
  const id = `deployment ${namespace}/${name}`;
  // Claim first: the resourceVersion makes the claim fail if the Deployment changed meanwhile.
  // A change of its status or scale is read again and the claim made again; a claim of another
  // session is an error (checkSwappable names it).
  for (let attempt = 0; ; attempt++) {
    const current = checked.deployment;
    try {
      await kubeCall(`annotate ${id}`, () =>
        kube.apps.patchNamespacedDeployment(
          {
            name,
            namespace,
            body: {
              metadata: {
                resourceVersion: current.metadata?.resourceVersion,
                annotations: {
                  [Annotations.session]: sessionId,
                  [Annotations.originalReplicas]: String(current.spec?.replicas ?? 1),
                  [Annotations.swappedAt]: new Date().toISOString(),
                },
              },
            },
          },
          mergePatch,
        ),
      );
      break;
    } catch (err) {
      if (!(err instanceof TpError && err.code === "conflict") || attempt >= 4) throw err;
      checked = await checkSwappable(kube, namespace, name, options.container);
    }
  }
  const { deployment, container } = checked;
  const replicas = deployment.spec?.replicas ?? 1;
  const info = { kind: "swap", deployment: name, container: container.name, namespace };
  const pod = swapProxyPod(deployment, container.name, { sessionId, agentImage: options.agentImage, info });
  const podName = pod.metadata?.name as string;
  // Set once the session is being undone: a late Ready must not scale the Deployment back to 0.
  let restoring = false;
  let scaling: Promise<unknown> | undefined;
  const restore = async (): Promise<string[]> => {
    restoring = true;
    await scaling?.catch(() => undefined);
    const done: string[] = [];
    const restored = await restoreDeployment(kube, namespace, name, sessionId);
    if (restored) done.push(restored);
    if (await deletePod(kube, namespace, podName)) done.push(`proxy pod ${namespace}/${podName} deleted`);
    return done;
  };
  const started = await createProxyPod(kube, options, pod, container.name, restore);
  const { ready } = started;
  // The tunnel starts meanwhile; the Deployment goes to 0 once the proxy is Ready and the session
  // takes over (takeOver): until then its own pods keep serving.
  let takingOver: Promise<void> | undefined;
  const takeOver = (): Promise<void> =>
    (takingOver ??= (async () => {
      await ready;
      if (hpa || restoring) return;
      scaling = kubeCall(`scale ${id} to 0`, () =>
        kube.apps.patchNamespacedDeployment({ name, namespace, body: { spec: { replicas: 0 } } }, mergePatch),
      );
      await scaling;
    })());
  return {
    namespace,
    ...started,
    original: container,
    description: `${id} (swapped, ${replicas} replica${replicas === 1 ? "" : "s"} before)`,
    takeOver,
    restore,
  };
}
