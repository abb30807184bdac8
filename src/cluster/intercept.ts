import type { V1Container } from "@kubernetes/client-node";
import { InterceptKeys, shadowServiceName, type InterceptEntry } from "../contract/intercept-record.js";
import { describeFilter, routerRegistrationToEnv, type InterceptFilter } from "../contract/router-control.js";
import { defaultRouterControlPort } from "../contract/router-config.js";
import { describeRef } from "../contract/workload-ref.js";
import { TpError } from "../errors.js";
import { changeIntercepts, patchService, readService, removeIntercept } from "../kube/intercept-undo.js";
import type { Kube } from "../kube/kube.js";
import { deletePod } from "../kube/pods.js";
import type { RemoteEnd, StartOptions } from "../kube/remote-end.js";
import { createOrRestore, createProxyPod } from "./create-proxy-pod.js";
import { addEntry, filterTaken, liveSessions, sameFilterHolder } from "./intercept-entry.js";
import { ensureRouter } from "./intercept-router.js";
import { watchRouter, type RouterWatch } from "./router-watch.js";
import { checkExposeMatches, findInterceptedService, type InterceptedService } from "./intercept-services.js";
import { interceptProxyPod, swapProxyPodName } from "./proxy-pod.js";
import {
  chooseContainer,
  findWorkload,
  targetText,
  type FoundWorkload,
  type WorkloadTarget,
} from "./workloads.js";

export interface InterceptTarget extends WorkloadTarget {
  /** --service: the Service to intercept when several select the workload's pods. */
  service?: string;
  filter: InterceptFilter;
  mirror: boolean;
}

export interface Interceptable {
  found: FoundWorkload;
  container: V1Container;
  target: InterceptedService;
}

/**
 * Check, before anything changes, that a workload can be intercepted: it exists, has the
 * container, a Service selects its pods (the one --service names), --expose matches that
 * Service's ports, and no live session takes the same requests.
 */
export async function checkInterceptable(
  kube: Kube,
  namespace: string,
  t: InterceptTarget,
  expose: { remotePort: number; protocol?: string }[],
): Promise<Interceptable> {
  const found = await findWorkload(kube, namespace, t);
  const container = chooseContainer(found, t.container, namespace);
  const target = await findInterceptedService(kube, namespace, found, t.service);
  checkExposeMatches(target, expose, namespace);
  const entries = await changeIntercepts(kube, namespace, target.name, (e) => ({ result: e }));
  const live = await liveSessions(kube, namespace, Object.keys(entries ?? {}));
  const holder = sameFilterHolder(entries ?? {}, t.filter, live);
  if (holder) throw filterTaken(holder, target.name, namespace, t.filter);
  return { found, container, target };
}

/**
 * Point the Service at the router: its selector becomes the router's label; its own selector is
 * recorded in the same patch (once: a second session finds it recorded already).
 */
async function selectRouter(kube: Kube, namespace: string, name: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const svc = await readService(kube, namespace, name);
    if (!svc) throw new TpError("not-found", `service ${namespace}/${name} is gone`);
    const selector = svc.spec?.selector ?? {};
    if (Object.keys(selector).length === 1 && selector[InterceptKeys.router] === name) return;
    const recorded = svc.metadata?.annotations?.[InterceptKeys.originalSelector];
    const next: Record<string, string | null> = { [InterceptKeys.router]: name };
    for (const k of Object.keys(selector)) if (k !== InterceptKeys.router) next[k] = null;
    try {
      await patchService(
        kube,
        namespace,
        name,
        {
          metadata: {
            resourceVersion: svc.metadata?.resourceVersion,
            ...(recorded
              ? {}
              : { annotations: { [InterceptKeys.originalSelector]: JSON.stringify(selector) } }),
          },
          spec: { selector: next },
        },
        `point service ${namespace}/${name} at its router`,
      );
      return;
    } catch (err) {
      // Changed meanwhile (another session's entry): read it again.
      if (!(err instanceof TpError && err.code === "conflict") || attempt >= 9) throw err;
    }
  }
}

export interface InterceptOptions extends StartOptions {
  target: InterceptTarget;
}

/**
 * --intercept [KIND/]NAME: record the session on the Service, make the router (and the shadow
 * Service with the Service's own selector) if this is the first session, point the Service at the
 * router once it is Ready, and start the session's proxy pod, which registers its filter with the
 * router. The workload itself is never changed.
 */
export async function interceptWorkload(kube: Kube, options: InterceptOptions): Promise<RemoteEnd> {
  const { namespace, sessionId, target: t } = options;
  const { found, container, target } = await checkInterceptable(kube, namespace, t, []);
  const workload = `${found.ref.kind.toLowerCase()}/${found.ref.name}`;
  const entry: InterceptEntry = {
    filter: t.filter,
    mirror: t.mirror,
    workload,
    since: new Date().toISOString(),
  };
  const id = describeRef(found.ref, namespace);
  const podName = swapProxyPodName(found.ref.name, sessionId);
  // Set once the router exists (the undo may run before).
  const router: { watch?: RouterWatch } = {};
  const restore = async (): Promise<string[]> => {
    // The session's own undo may delete the router: that is no loss to report.
    router.watch?.stop();
    const done: string[] = [];
    if (await deletePod(kube, namespace, podName)) done.push(`proxy pod ${namespace}/${podName} deleted`);
    done.push(...(await removeIntercept(kube, namespace, target.name, sessionId)));
    return done;
  };
  // A failed claim may have been made (its answer lost): the caller's undo removes it by name.
  let waiting: ((done?: string) => void) | undefined;
  try {
    await addEntry(
      kube,
      namespace,
      { service: target.name, sessionId, entry, filter: t.filter },
      {
        signal: options.signal,
        onWait: (other) => {
          waiting?.();
          waiting = options.step?.(
            `waiting for tp session ${other} to finish ending its intercept of service ${namespace}/${target.name}`,
          );
        },
      },
    );
  } finally {
    waiting?.();
  }
  options.signal?.throwIfAborted();
  const routerPod = await createOrRestore(restore, async () => {
    const end = options.step?.(`starting the router of service ${namespace}/${target.name}`);
    const pod = await ensureRouter(kube, namespace, target, options.agentImage, options.signal, options.warn);
    options.signal?.throwIfAborted();
    await selectRouter(kube, namespace, target.name);
    end?.(`service ${namespace}/${target.name} goes through its router`);
    return pod;
  });
  const routerIp = routerPod.status?.podIP;
  if (!routerIp) {
    await restore().catch(() => undefined);
    throw new TpError("cluster-error", `the router of service ${namespace}/${target.name} has no IP`);
  }
  const shadowName = shadowServiceName(target.name);
  const shadow = await readService(kube, namespace, shadowName).catch(() => undefined);
  const watch = watchRouter(kube, namespace, {
    pod: { name: routerPod.metadata?.name ?? "", uid: routerPod.metadata?.uid },
    shadow: { name: shadowName, uid: shadow?.metadata?.uid },
  });
  router.watch = watch;
  const registration = routerRegistrationToEnv({
    router: { host: routerIp, port: defaultRouterControlPort },
    sessionId,
    filter: t.filter,
    mirror: t.mirror,
  });
  // No workload resource in the record: nothing of the workload is to be restored.
  const info = { kind: "intercept", deployment: targetText(t), container: container.name, namespace };
  const pod = interceptProxyPod(
    found.object,
    container.name,
    { sessionId, agentImage: options.agentImage, info },
    registration,
  );
  if (options.lease)
    pod.metadata!.ownerReferences = [
      { apiVersion: "coordination.k8s.io/v1", kind: "Lease", ...options.lease, controller: true },
    ];
  const exposePorts = [
    ...new Set([...(options.exposePorts ?? []), ...target.ports.map((p) => p.targetPort)]),
  ];
  const started = await createProxyPod(kube, { ...options, exposePorts }, pod, container.name, restore);
  const ports = target.ports.map((p) => ({
    containerPort: p.targetPort,
    protocol: "TCP",
    ...(p.name ? { name: p.name } : {}),
  }));
  return {
    namespace,
    ...started,
    // The intercepted ports are what the session exposes without being asked.
    original: { ...container, ports },
    description: `${id} (intercepted through service ${target.name}: ${describeFilter(t.filter)}${t.mirror ? ", mirrored" : ""})`,
    lost: watch.lost,
    restore,
  };
}
