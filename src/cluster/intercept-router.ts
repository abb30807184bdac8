import type { V1Pod, V1Service } from "@kubernetes/client-node";
import { agentResourcesIn, withAgentResources } from "./agent-resources.js";
import { Labels, managedByValue } from "../contract/cluster-labels.js";
import {
  InterceptKeys,
  routerContainer,
  routerPodName,
  shadowServiceName,
} from "../contract/intercept-record.js";
import { defaultRouterControlPort, routerConfigToEnv } from "../contract/router-config.js";
import { TpError } from "../errors.js";
import { kubeCall, kubeGet } from "../kube/kube-call.js";
import type { Kube } from "../kube/kube.js";
import { waitForPodGone } from "../kube/pods.js";
import type { InterceptedService } from "./intercept-services.js";
import {
  refusesPortSysctl,
  unprivilegedPortSysctl,
  withoutPortSysctl,
  withRestrictedContext,
} from "./pod-security.js";
import { waitForPodReady } from "./wait-for-pod.js";

/** Labels of an intercept's shared objects (not a session's: they outlive the session that made them). */
function interceptLabels(service: string, role: string): Record<string, string> {
  return { [Labels.managedBy]: managedByValue, [Labels.role]: role, [InterceptKeys.intercept]: service };
}

/**
 * The shadow Service: the intercepted Service's own selector and ports (numbers, targetPorts,
 * names, protocols), so kube-proxy balances what no session takes over the workload's Ready pods.
 */
export function shadowService(target: InterceptedService): V1Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: shadowServiceName(target.name),
      labels: interceptLabels(target.name, "shadow-service"),
    },
    spec: {
      type: "ClusterIP",
      selector: target.selector,
      ports: (target.service.spec?.ports ?? []).map((p) => ({
        port: p.port,
        ...(p.name ? { name: p.name } : {}),
        ...(p.protocol ? { protocol: p.protocol } : {}),
        ...(p.targetPort !== undefined ? { targetPort: p.targetPort } : {}),
        ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}),
      })),
    },
  };
}

/**
 * The router pod: tp-agent in role `router`, ports named and numbered as the workload's (a named
 * targetPort resolves on it too), Ready once its control port listens, Pod Security "restricted",
 * no API rights (no service account token): it only needs the shadow Service's name.
 */
export function routerPod(target: InterceptedService, namespace: string, agentImage: string): V1Pod {
  const upstream = `${shadowServiceName(target.name)}.${namespace}.svc`;
  const config = routerConfigToEnv({
    service: target.name,
    namespace,
    controlPort: defaultRouterControlPort,
    ports: target.ports.map((p) => ({
      port: p.targetPort,
      ...(p.name ? { name: p.name } : {}),
      upstream: { host: upstream, port: p.port },
      http: p.raw ? "raw" : "auto",
    })),
  });
  const low = target.ports.some((p) => p.targetPort < 1024);
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: routerPodName(target.name),
      labels: { ...interceptLabels(target.name, "router"), [InterceptKeys.router]: target.name },
    },
    spec: {
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      ...(low ? { securityContext: { sysctls: [{ name: unprivilegedPortSysctl, value: "0" }] } } : {}),
      containers: [
        {
          name: routerContainer,
          image: agentImage,
          imagePullPolicy: "IfNotPresent",
          args: ["router"],
          env: [config],
          // A crashed router's last log lines are its termination message (see wait-for-pod.ts).
          terminationMessagePolicy: "FallbackToLogsOnError",
          ports: [
            ...target.ports.map((p) => ({
              containerPort: p.targetPort,
              protocol: "TCP",
              ...(p.name ? { name: p.name } : {}),
            })),
            { containerPort: defaultRouterControlPort, protocol: "TCP", name: "tp-control" },
          ],
          readinessProbe: { tcpSocket: { port: defaultRouterControlPort as never }, periodSeconds: 1 },
          securityContext: withRestrictedContext(undefined),
        },
      ],
    },
  };
}

/** Create an object unless it exists (another session made it); 409 is "it exists". */
async function createUnlessExists(what: string, create: () => Promise<unknown>): Promise<boolean> {
  try {
    await kubeCall(`create ${what}`, create);
    return true;
  } catch (err) {
    if (err instanceof TpError && err.code === "conflict") return false;
    throw err;
  }
}

/**
 * The intercept's shared objects, made when the first session comes: the shadow Service, then the
 * router pod (a router being deleted by a session that just ended is waited for and made again).
 * Resolves with the router pod once it is Ready.
 */
export async function ensureRouter(
  kube: Kube,
  namespace: string,
  target: InterceptedService,
  agentImage: string,
  signal?: AbortSignal,
  warn?: (text: string) => void,
): Promise<V1Pod> {
  const shadow = shadowService(target);
  await createUnlessExists(`service ${namespace}/${shadow.metadata?.name}`, () =>
    kube.core.createNamespacedService({ namespace, body: shadow }),
  );
  signal?.throwIfAborted();
  const pod = routerPod(target, namespace, agentImage);
  withAgentResources(pod.spec, await agentResourcesIn(kube, namespace));
  const name = pod.metadata?.name as string;
  const existing = await kubeGet(`read pod ${namespace}/${name}`, () =>
    kube.core.readNamespacedPod({ name, namespace }),
  );
  if (existing?.metadata?.deletionTimestamp) await waitForPodGone(kube, namespace, name, 60_000);
  if (!existing || existing.metadata?.deletionTimestamp) {
    const create = (body: V1Pod) =>
      createUnlessExists(`pod ${namespace}/${name}`, () =>
        kube.core.createNamespacedPod({ namespace, body }),
      );
    try {
      await create(pod);
    } catch (err) {
      if (!refusesPortSysctl(err, pod)) throw err;
      await create(withoutPortSysctl(pod));
      warn?.(
        `the cluster refuses the sysctl ${unprivilegedPortSysctl}: the router cannot listen on the Service's ports below 1024`,
      );
    }
  }
  signal?.throwIfAborted();
  return waitForPodReady(kube, namespace, name, 120_000, "ready", undefined, routerContainer);
}
