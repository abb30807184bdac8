import { agentResourcesIn, withAgentResources } from "./agent-resources.js";
import { TpError } from "../errors.js";
import { kubeCreate, kubeGet, limitsHint, madeBySession } from "../kube/kube-call.js";
import type { Kube } from "../kube/kube.js";
import { sessionSelector } from "../contract/cluster-labels.js";
import { newDeploymentObjects, type ExposedPort } from "./proxy-pod.js";
import type { RemoteEnd, StartOptions } from "../kube/remote-end.js";
import { createOrRestore } from "./create-proxy-pod.js";
import { waitForPodReady, waitForSelectedPod } from "./wait-for-pod.js";

export interface NewDeploymentOptions extends StartOptions {
  name: string;
  /** The Service's ports: the remote side of every --expose. */
  ports: ExposedPort[];
}

/** Check that neither a Deployment nor a Service named NAME exists. */
export async function checkNameFree(kube: Kube, namespace: string, name: string): Promise<void> {
  for (const [kind, exists] of [
    ["deployment", () => kube.apps.readNamespacedDeployment({ name, namespace }) as Promise<unknown>],
    ["service", () => kube.core.readNamespacedService({ name, namespace }) as Promise<unknown>],
  ] as const) {
    if (await kubeGet(`read ${kind} ${namespace}/${name}`, exists)) {
      throw new TpError("conflict", `${kind} ${namespace}/${name} already exists`, {
        hint: `choose another name, or use --swap-deployment ${name} to take over an existing Deployment`,
      });
    }
  }
}

/** --new-deployment NAME: a Deployment and a Service named NAME running the proxy, removed at the end. */
export async function startNewDeployment(kube: Kube, options: NewDeploymentOptions): Promise<RemoteEnd> {
  const { namespace, name, sessionId } = options;
  await checkNameFree(kube, namespace, name);
  const info = { kind: "new-deployment", deployment: name, namespace };
  const { deployment, service } = newDeploymentObjects(name, options.ports, {
    sessionId,
    agentImage: options.agentImage,
    info,
  });
  withAgentResources(deployment.spec?.template.spec, await agentResourcesIn(kube, namespace));
  const restore = async (): Promise<string[]> => {
    const done: string[] = [];
    const propagationPolicy = "Background";
    if (
      await kubeGet(`delete deployment ${namespace}/${name}`, () =>
        kube.apps.deleteNamespacedDeployment({ name, namespace, propagationPolicy }),
      )
    ) {
      done.push(`deployment ${namespace}/${name} deleted`);
    }
    if (
      await kubeGet(`delete service ${namespace}/${name}`, () =>
        kube.core.deleteNamespacedService({ name, namespace }),
      )
    ) {
      done.push(`service ${namespace}/${name} deleted`);
    }
    return done;
  };
  return createOrRestore(restore, async () => {
    const end = options.step?.(`starting deployment ${name}`);
    await kubeCreate(
      `create deployment ${namespace}/${name}`,
      () => kube.apps.createNamespacedDeployment({ namespace, body: deployment }),
      () => madeBySession(() => kube.apps.readNamespacedDeployment({ name, namespace }), sessionId),
    );
    await kubeCreate(
      `create service ${namespace}/${name}`,
      () => kube.core.createNamespacedService({ namespace, body: service }),
      () => madeBySession(() => kube.core.readNamespacedService({ name, namespace }), sessionId),
    );
    const container = deployment.spec?.template.spec?.containers[0]?.name as string;
    // A pod the API refuses (a quota, a LimitRange, Pod Security) is said in the Deployment's
    // ReplicaFailure condition: no use waiting for it.
    const refused = async () => {
      const d = await kubeGet(`read deployment ${namespace}/${name}`, () =>
        kube.apps.readNamespacedDeployment({ name, namespace }),
      );
      const failure = d?.status?.conditions?.find((c) => c.type === "ReplicaFailure" && c.status === "True");
      // Only what stays so (a missing ServiceAccount of a new namespace, say, does not).
      const message = failure?.message ?? "";
      const lasting = limitsHint(message) !== undefined || /violates PodSecurity/.test(message);
      return lasting ? `deployment ${namespace}/${name} cannot create its pod: ${message}` : undefined;
    };
    const pod = await waitForSelectedPod(
      kube,
      namespace,
      sessionSelector(sessionId),
      120_000,
      { running: container },
      refused,
    );
    const podName = pod.metadata?.name as string;
    const ready = waitForPodReady(kube, namespace, podName, 120_000, "ready", undefined, container).then(() =>
      end?.(`deployment ${name} ready`),
    );
    ready.catch(() => undefined);
    return {
      namespace,
      pod: podName,
      container,
      admitted: pod,
      running: Promise.resolve(),
      listening: ready,
      description: `new deployment ${namespace}/${name}`,
      ready,
      restore,
    };
  });
}
