import type { V1Container, V1Deployment } from "@kubernetes/client-node";
import { NotFoundError, UsageError } from "../errors.js";
import { kubeCall, kubeGet } from "../kube/kube-call.js";
import type { Kube } from "../kube/kube.js";

/** Read a Deployment; when it does not exist, say which ones do. */
export async function readDeployment(kube: Kube, namespace: string, name: string): Promise<V1Deployment> {
  const deployment = await kubeGet(`read deployment ${namespace}/${name}`, () =>
    kube.apps.readNamespacedDeployment({ name, namespace }),
  );
  if (deployment) return deployment;
  const names = await listWorkloadNames(kube, namespace);
  throw new NotFoundError(`deployment "${name}" not found in namespace ${namespace}`, {
    hint: names.length
      ? `deployments in ${namespace}: ${names.join(", ")}`
      : `namespace ${namespace} has no deployments`,
  });
}

/** The names of the Deployments in a namespace (the kube's own by default). */
export async function listWorkloadNames(kube: Kube, namespace = kube.namespace): Promise<string[]> {
  const list = await kubeCall(`list deployments in ${namespace}`, () =>
    kube.apps.listNamespacedDeployment({ namespace }),
  );
  return list.items.map((d) => d.metadata?.name ?? "").filter(Boolean);
}

/** The container to swap: the named one, or the only one. */
export function chooseContainer(deployment: V1Deployment, name: string | undefined): V1Container {
  const containers = deployment.spec?.template.spec?.containers ?? [];
  const names = containers.map((c) => c.name);
  const id = `deployment ${deployment.metadata?.namespace}/${deployment.metadata?.name}`;
  if (name !== undefined) {
    const found = containers.find((c) => c.name === name);
    if (!found)
      throw new NotFoundError(`${id} has no container "${name}"`, {
        hint: `its containers: ${names.join(", ")}`,
      });
    return found;
  }
  if (containers.length !== 1) {
    throw new UsageError(`${id} has ${containers.length} containers: say which one to swap`, {
      hint: `--swap-deployment ${deployment.metadata?.name}:CONTAINER with CONTAINER one of ${names.join(", ")}`,
    });
  }
  return containers[0] as V1Container;
}

/** Parse NAME[:CONTAINER]. */
export function parseWorkload(value: string): { name: string; container?: string } {
  const m = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?)(?::([a-z0-9]([-a-z0-9]*[a-z0-9])?))?$/.exec(value);
  if (!m?.[1]) throw new UsageError(`"${value}" is not a valid NAME[:CONTAINER]`);
  return { name: m[1], ...(m[3] ? { container: m[3] } : {}) };
}
