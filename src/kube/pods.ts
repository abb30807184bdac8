import { waitFor } from "../wait.js";
import { kubeGet } from "./kube-call.js";
import type { Kube } from "./kube.js";

/** Delete a pod without waiting for it to go; false when it was already gone. */
export async function deletePod(
  kube: Kube,
  namespace: string,
  name: string,
  gracePeriodSeconds = 2,
): Promise<boolean> {
  const deleted = await kubeGet(`delete pod ${namespace}/${name}`, () =>
    kube.core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds }),
  );
  return deleted !== undefined;
}

/** Wait until no pod matches a label selector (terminating ones count: they still hold what they held). */
export async function waitForNoPods(
  kube: Kube,
  namespace: string,
  labelSelector: string,
  timeoutMs: number,
): Promise<void> {
  await waitFor(
    `the pods of ${labelSelector} in ${namespace} to be gone`,
    async () =>
      (await kube.core.listNamespacedPod({ namespace, labelSelector })).items.length ? undefined : true,
    { timeoutMs, intervalMs: 500, retryErrors: true },
  );
}

/** Wait until a pod no longer exists (a replica's pod gone before its identity is reused). */
export async function waitForPodGone(
  kube: Kube,
  namespace: string,
  name: string,
  timeoutMs: number,
  intervalMs = 500,
): Promise<void> {
  await waitFor(
    `pod ${namespace}/${name} to be gone`,
    async () =>
      (await kubeGet(`read pod ${namespace}/${name}`, () => kube.core.readNamespacedPod({ name, namespace })))
        ? undefined
        : true,
    { timeoutMs, intervalMs },
  );
}
