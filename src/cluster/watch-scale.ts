import type { Kube } from "../kube/kube.js";
import { readReplicas } from "../kube/workload-api.js";
import { describeRef, type WorkloadRef } from "../contract/workload-ref.js";

/**
 * While a workload is swapped, notice a scale someone else makes (its pods then serve part of
 * the traffic): say so once per count; the restore keeps that count.
 */
export function watchScale(
  kube: Kube,
  namespace: string,
  ref: WorkloadRef,
  warn: ((text: string) => void) | undefined,
): NodeJS.Timeout {
  let told = -1;
  const timer = setInterval(() => {
    readReplicas(kube, namespace, ref).then(
      (replicas) => {
        if (replicas === 0 || replicas === told) return;
        told = replicas;
        warn?.(
          `${describeRef(ref, namespace)} was scaled to ${replicas} during the session: its pods serve part of the traffic, and it keeps ${replicas} replica${replicas === 1 ? "" : "s"} at the end`,
        );
      },
      () => undefined,
    );
  }, scaleWatchMs);
  timer.unref();
  return timer;
}

/** How often a swapped workload is checked for a scale made by someone else. */
const scaleWatchMs = 3_000;
