import type { V1Container, V1Deployment } from "@kubernetes/client-node";
import { deploymentRef } from "../contract/workload-ref.js";
import { NotFoundError } from "../errors.js";
import { chooseContainer as chooseWorkloadContainer } from "./workloads.js";
import { kubeCall, kubeGet } from "../kube/kube-call.js";
import type { Kube } from "../kube/kube.js";

/**
 * A namespace that does not exist is said not to exist (rather than "has no deployments").
 * Reading a namespace may be forbidden to a user who may read workloads: then nothing is said.
 */
export async function requireNamespace(kube: Kube, namespace: string): Promise<void> {
  const ns = await kubeGet(`read namespace ${namespace}`, () =>
    kube.core.readNamespace({ name: namespace }),
  ).catch(() => true);
  if (ns === undefined)
    throw new NotFoundError(`namespace ${namespace} does not exist`, {
      hint: "kubectl get namespaces lists those that do",
    });
}

/** Read a Deployment; when it does not exist, say which ones do. */
export async function readDeployment(kube: Kube, namespace: string, name: string): Promise<V1Deployment> {
  const deployment = await kubeGet(`read deployment ${namespace}/${name}`, () =>
    kube.apps.readNamespacedDeployment({ name, namespace }),
  );
  if (deployment) return deployment;
  await requireNamespace(kube, namespace);
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

/** The container of a Deployment to swap: the named one, or the only one. */
export function chooseContainer(deployment: V1Deployment, name: string | undefined): V1Container {
  const ref = deploymentRef(deployment.metadata?.name ?? "");
  return chooseWorkloadContainer({ ref, object: deployment }, name, deployment.metadata?.namespace ?? "");
}
