import type { V1Pod } from "@kubernetes/client-node";
import { ApiError } from "./api-client.js";
import { listPodContainers, removeContainer, stopContainer } from "./docker-runtime.js";
import type { KubeletContext } from "./kubelet-context.js";

/** Stops a pod's containers (stop signal, SIGKILL after the grace period), removes them and its volumes. */
export async function removePodContainers(
  ctx: KubeletContext,
  uid: string,
  graceSeconds: number,
): Promise<void> {
  // A port-forward helper still starting would otherwise appear after the list below.
  await ctx.portForward?.settle(uid);
  const all = await listPodContainers(ctx.docker, uid);
  await Promise.all(
    all
      .filter((c) => c.role === "app" || c.role === "init")
      .map((c) => stopContainer(ctx.docker, c.id, graceSeconds)),
  );
  await Promise.all(all.map((c) => removeContainer(ctx.docker, c.id)));
  ctx.tokens.forget(uid);
  await ctx.volumes.tearDown(uid);
}

/** The kubelet's final delete of a terminated pod: grace period 0, only this pod (uid precondition). */
export async function deletePodObject(ctx: KubeletContext, pod: V1Pod): Promise<void> {
  const md = pod.metadata;
  try {
    await ctx.api.request("DELETE", `/api/v1/namespaces/${md?.namespace}/pods/${md?.name}`, {
      kind: "DeleteOptions",
      apiVersion: "v1",
      gracePeriodSeconds: 0,
      preconditions: { uid: md?.uid },
    });
  } catch (e) {
    if (!(e instanceof ApiError && (e.status === 404 || e.status === 409))) throw e;
  }
}
