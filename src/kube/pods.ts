import { kubeGet } from "./kube-call.js";
import type { Kube } from "./kube.js";

/** Delete a pod without waiting for it to go; false when it was already gone. */
export async function deletePod(kube: Kube, namespace: string, name: string): Promise<boolean> {
  const deleted = await kubeGet(`delete pod ${namespace}/${name}`, () =>
    kube.core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 2 }),
  );
  return deleted !== undefined;
}
