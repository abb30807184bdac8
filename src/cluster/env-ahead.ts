import type { V1ConfigMap, V1Pod, V1Secret, V1Service } from "@kubernetes/client-node";
import type { Kube } from "../kube/kube.js";
import type { RemoteEnd } from "../kube/remote-end.js";
import { kubeCall, kubeGet } from "../kube/kube-call.js";
import { containerEnv, referencedObjects, type EnvSources } from "./container-env.js";
import { NotKnownAhead, statusValues } from "./downward-env.js";
import { servicesForPod } from "./service-env.js";
import { userVariables } from "./pod-env.js";

/**
 * The user container's environment as far as it is known before the proxy pod runs:
 * - `known`: all of it (it reads only the pod's metadata and spec and objects of the API);
 * - `status`: all of it once the pod runs (it reads the pod's addresses or node): `complete`;
 * - `agent`: only the running agent can tell (a value of the node, an object tp may not read…).
 */
export type EnvAhead =
  | { kind: "known"; env: Record<string, string> }
  | { kind: "status"; complete: (running: V1Pod) => Record<string, string> }
  | { kind: "agent"; why: string };

async function readSources(kube: Kube, pod: V1Pod, names: ReturnType<typeof referencedObjects>) {
  const namespace = pod.metadata?.namespace ?? kube.namespace;
  const links = pod.spec?.enableServiceLinks !== false;
  const read = <T>(what: string, fn: () => Promise<T>) => kubeGet(what, fn);
  const [configMaps, secrets, own, master] = await Promise.all([
    Promise.all(
      names.configMaps.map(async (name) => {
        const cm = await read(`read configmap ${namespace}/${name}`, () =>
          kube.core.readNamespacedConfigMap({ name, namespace }),
        );
        return [name, cm] as [string, V1ConfigMap | undefined];
      }),
    ),
    Promise.all(
      names.secrets.map(async (name) => {
        const secret = await read(`read secret ${namespace}/${name}`, () =>
          kube.core.readNamespacedSecret({ name, namespace }),
        );
        return [name, secret] as [string, V1Secret | undefined];
      }),
    ),
    links
      ? kubeCall(`list services in ${namespace}`, () => kube.core.listNamespacedService({ namespace })).then(
          (l) => l.items,
        )
      : Promise.resolve([] as V1Service[]),
    read("read service default/kubernetes", () =>
      kube.core.readNamespacedService({ name: "kubernetes", namespace: "default" }),
    ),
  ]);
  const sources: EnvSources = {
    configMaps: new Map(configMaps),
    secrets: new Map(secrets),
    services: servicesForPod(own, master, namespace, links),
  };
  return sources;
}

/**
 * Resolve the env of `containerName` in `pod` (the proxy pod as the API admitted it) from the API
 * alone, as the kubelet will (see containerEnv). Never throws: what it cannot tell, it says.
 */
export async function envAhead(kube: Kube, pod: V1Pod, containerName: string): Promise<EnvAhead> {
  const container = pod.spec?.containers.find((c) => c.name === containerName);
  if (!container) return { kind: "agent", why: `no container ${containerName} in the pod` };
  let sources: EnvSources;
  try {
    sources = await readSources(kube, pod, referencedObjects(container));
  } catch (err) {
    return { kind: "agent", why: (err as Error).message };
  }
  try {
    return { kind: "known", env: userVariables(Object.fromEntries(containerEnv(pod, container, sources))) };
  } catch (err) {
    if (!(err instanceof NotKnownAhead)) throw err;
    if (err.needs === "node") return { kind: "agent", why: err.message };
  }
  return {
    kind: "status",
    complete: (running) =>
      userVariables(Object.fromEntries(containerEnv(pod, container, sources, statusValues(running)))),
  };
}

/**
 * The env of a session's proxy container before its agent answers: from the API as soon as the
 * pod exists, or once it runs when a value needs its status. Undefined (with why, for --verbose)
 * when only the agent can tell.
 */
export async function sessionEnvAhead(
  kube: Kube,
  remote: Pick<RemoteEnd, "namespace" | "pod" | "container" | "admitted" | "running">,
  debug: (text: string) => void,
): Promise<Record<string, string> | undefined> {
  if (!remote.admitted) return undefined;
  const ahead = await envAhead(kube, remote.admitted, remote.container);
  if (ahead.kind === "known") return ahead.env;
  if (ahead.kind === "agent") {
    debug(`env not known ahead: ${ahead.why}`);
    return undefined;
  }
  await remote.running;
  const { namespace, pod: name } = remote;
  const running = await kubeGet(`read pod ${namespace}/${name}`, () =>
    kube.core.readNamespacedPod({ name, namespace }),
  );
  return running ? ahead.complete(running) : undefined;
}
