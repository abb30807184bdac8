import { Annotations } from "../contract/cluster-labels.js";
import { describeRef, type WorkloadRef } from "../contract/workload-ref.js";
import type { Kube } from "./kube.js";
import { patchWorkload, readWorkload, scaleWorkload } from "./workload-api.js";

/**
 * Put a swapped workload of any kind back: its replica count from the annotation (through the
 * scale subresource), then tp's annotations removed; everything else someone changed meanwhile
 * stays. Only for the given session when one is named. The annotations go last, so a restore cut
 * short is done again by whoever comes next.
 */
export async function restoreWorkload(
  kube: Kube,
  namespace: string,
  ref: WorkloadRef,
  sessionId?: string,
): Promise<string | undefined> {
  const current = await readWorkload(kube, namespace, ref);
  const annotations = current?.metadata?.annotations ?? {};
  const holder = annotations[Annotations.session];
  if (!current || !holder || (sessionId && holder !== sessionId)) return undefined;
  const replicas = Number(annotations[Annotations.originalReplicas] ?? "1");
  const id = describeRef(ref, namespace);
  await scaleWorkload(kube, namespace, ref, replicas);
  await patchWorkload(
    kube,
    namespace,
    ref,
    {
      metadata: {
        annotations: {
          [Annotations.session]: null,
          [Annotations.originalReplicas]: null,
          [Annotations.swappedAt]: null,
          [Annotations.workload]: null,
        },
      },
    },
    `restore ${id}`,
  );
  return `${id} restored to ${replicas} replica${replicas === 1 ? "" : "s"}`;
}
