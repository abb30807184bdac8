import type { V1Pod } from "@kubernetes/client-node";
import type { Kube } from "../kube/kube.js";
import type { RemoteEnd, StartOptions } from "../kube/remote-end.js";
import { admitProxyPod } from "./pod-security.js";
import { proxyPodStages } from "./wait-for-pod.js";
import { reachStage, Stages } from "../stages.js";

/**
 * Make a session's objects with `create`; if that fails, undo what the session has changed so far
 * (`restore`, best effort: the first error is the one to report) and throw.
 */
export async function createOrRestore<T>(
  restore: () => Promise<unknown>,
  create: () => Promise<T>,
): Promise<T> {
  try {
    return await create();
  } catch (err) {
    await restore().catch(() => undefined);
    throw err;
  }
}

/**
 * Create a session's proxy pod (undoing the session if the API refuses it) and follow its start.
 * It returns once the pod exists; the caller undoes the session (restore) if the pod never runs.
 */
export async function createProxyPod(
  kube: Kube,
  options: Pick<StartOptions, "namespace" | "step" | "exposePorts" | "warn" | "signal">,
  pod: V1Pod,
  container: string,
  restore: () => Promise<unknown>,
  /** Waited for before the pod is created (the test stage after a swap's annotation). */
  before?: () => Promise<void>,
  /** Told why the API refused the pod: true once it made room for it (the pod is asked for again). */
  makeRoom?: (refusal: unknown) => Promise<boolean>,
): Promise<
  Pick<RemoteEnd, "pod" | "container" | "admitted" | "running" | "listening" | "ready"> & {
    /** The scheduler's message if no node has room for the pod (see proxyPodStages). */
    unschedulable: Promise<string | undefined>;
  }
> {
  const { namespace } = options;
  const name = pod.metadata?.name as string;
  const end = options.step?.(`starting proxy pod ${name}`);
  // The ports the proxy listens on: the container's own and the exposed ones.
  const target = pod.spec?.containers.find((c) => c.name === container);
  const ports = [...(target?.ports ?? []).map((p) => p.containerPort), ...(options.exposePorts ?? [])];
  // Undone (restore) on a failure, and when the session is undone while this starts (signal):
  // then no pod is created after the undoing, and one created is deleted.
  const admitted = await createOrRestore(restore, async () => {
    await before?.();
    options.signal?.throwIfAborted();
    const admit = () => admitProxyPod(kube, namespace, pod, ports, options.warn ?? (() => undefined));
    const made = await admit().catch(async (err: unknown) => {
      if (!(await makeRoom?.(err))) throw err;
      options.signal?.throwIfAborted();
      return admit();
    });
    await reachStage(Stages.proxyCreated, options.signal);
    options.signal?.throwIfAborted();
    return made;
  });
  const { running, listening, unschedulable } = proxyPodStages(kube, namespace, name, container);
  const ready = listening.then(async () => {
    end?.(`proxy pod ${name} ready`);
    await reachStage(Stages.proxyReady);
  });
  ready.catch(() => undefined);
  return { pod: name, container, admitted, running, listening, ready, unschedulable };
}
