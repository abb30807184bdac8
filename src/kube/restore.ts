import { Annotations } from "../contract/cluster-labels.js";
import { describeRef, type WorkloadRef } from "../contract/workload-ref.js";
import type { Kube } from "./kube.js";
import { waitFor } from "../wait.js";
import {
  patchWorkload,
  readReplicas,
  readWorkload,
  scaleWorkload,
  type WorkloadObject,
} from "./workload-api.js";

export interface Restored {
  /** One line for the user. */
  text: string;
  /** The replica count the workload has now. */
  replicas: number;
  /**
   * Whether the session had scaled it (recorded its scale): where it never did, its pods never
   * went, and nothing needs to wait for them.
   */
  scaled: boolean;
}

/**
 * Put a swapped workload of any kind back: where tp scaled it (the count it set is recorded),
 * its replica count from the annotation (through the scale subresource); a count someone set
 * during the session stays, as does everything else changed meanwhile. Then tp's annotations go.
 * Only for the given session when one is named. The annotations go last, so a restore cut short
 * is done again by whoever comes next.
 */
/**
 * Whether the session recorded on the workload that its proxy must be gone before the workload
 * is scaled back (its pods and the proxy may not overlap).
 */
export async function proxyFirstRecorded(
  kube: Kube,
  namespace: string,
  ref: WorkloadRef,
  sessionId: string,
): Promise<boolean> {
  const annotations = (await readWorkload(kube, namespace, ref).catch(() => undefined))?.metadata
    ?.annotations;
  return annotations?.[Annotations.session] === sessionId && annotations?.[Annotations.proxyFirst] === "true";
}

export async function restoreWorkload(
  kube: Kube,
  namespace: string,
  ref: WorkloadRef,
  sessionId?: string,
): Promise<Restored | undefined> {
  const current = await readWorkload(kube, namespace, ref);
  const annotations = current?.metadata?.annotations ?? {};
  const holder = annotations[Annotations.session];
  if (!current || !holder || (sessionId && holder !== sessionId)) return undefined;
  const original = Number(annotations[Annotations.originalReplicas] ?? "1");
  const scaledTo = annotations[Annotations.scaledTo];
  const now = await readReplicas(kube, namespace, ref);
  const ours = scaledTo !== undefined && now === Number(scaledTo);
  const replicas = ours ? original : now;
  const id = describeRef(ref, namespace);
  if (ours) await scaleWorkload(kube, namespace, ref, replicas);
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
          [Annotations.scaledTo]: null,
          [Annotations.proxyFirst]: null,
        },
      },
    },
    `restore ${id}`,
  );
  const count = `${replicas} replica${replicas === 1 ? "" : "s"}`;
  return {
    text:
      replicas === original
        ? `${id} restored to ${count}`
        : `${id} restored, keeping the ${count} it was scaled to during the session`,
    replicas,
    scaled: scaledTo !== undefined,
  };
}

/**
 * How long a restore waits for the workload's pods: pods that are not Ready by then (an image
 * someone broke meanwhile) will not be soon, and the rest of the undoing must not wait for them.
 * The warden waits less: its whole undoing must fit in the minute after the CLI died.
 */
export const restoreReadyMs = { cli: 30_000, warden: 10_000 } as const;

/**
 * Wait until a restored workload's pods are Ready (its replicas, at its latest spec, as its
 * status reports them), so that the proxy leaves its Service only once they serve. Gives up
 * quietly after `timeoutMs`, and at once for a kind whose status does not say.
 */
export async function waitForWorkloadReady(
  kube: Kube,
  namespace: string,
  ref: WorkloadRef,
  replicas: number,
  timeoutMs: number = restoreReadyMs.cli,
): Promise<boolean> {
  if (replicas === 0) return true;
  return waitFor(
    `${describeRef(ref, namespace)} to be ready`,
    async () => {
      const w = (await readWorkload(kube, namespace, ref)) as
        (WorkloadObject & { status?: { readyReplicas?: number; observedGeneration?: number } }) | undefined;
      if (!w || !w.status || !("observedGeneration" in w.status)) return true;
      const current = (w.status.observedGeneration ?? 0) >= (w.metadata?.generation ?? 0);
      return current && (w.status.readyReplicas ?? 0) >= Math.min(replicas, w.spec?.replicas ?? replicas)
        ? true
        : undefined;
    },
    { timeoutMs, intervalMs: 250 },
  ).catch(() => false);
}
