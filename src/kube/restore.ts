import type { V1Deployment } from "@kubernetes/client-node";
import { Annotations } from "../contract/cluster-labels.js";
import { kubeCall, kubeGet } from "./kube-call.js";
import type { Kube } from "./kube.js";
import { mergePatch } from "./patch.js";

/**
 * Put a swapped Deployment back: its replica count from the annotation, the annotations removed.
 * Everything else someone changed meanwhile stays. Only for the given session when one is named.
 */
export async function restoreDeployment(
  kube: Kube,
  namespace: string,
  name: string,
  sessionId?: string,
): Promise<string | undefined> {
  const current: V1Deployment | undefined = await kubeGet(`read deployment ${namespace}/${name}`, () =>
    kube.apps.readNamespacedDeployment({ name, namespace }),
  );
  const annotations = current?.metadata?.annotations ?? {};
  const holder = annotations[Annotations.session];
  if (!current || !holder || (sessionId && holder !== sessionId)) return undefined;
  const replicas = Number(annotations[Annotations.originalReplicas] ?? "1");
  await kubeCall(`restore deployment ${namespace}/${name}`, () =>
    kube.apps.patchNamespacedDeployment(
      {
        name,
        namespace,
        body: {
          metadata: {
            annotations: {
              [Annotations.session]: null,
              [Annotations.originalReplicas]: null,
              [Annotations.swappedAt]: null,
            },
          },
          spec: { replicas },
        },
      },
      mergePatch,
    ),
  );
  return `deployment ${namespace}/${name} restored to ${replicas} replica${replicas === 1 ? "" : "s"}`;
}
