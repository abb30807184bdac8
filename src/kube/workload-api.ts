import type {
  V1LabelSelector,
  V1ObjectMeta,
  V1PersistentVolumeClaim,
  V1PodTemplateSpec,
} from "@kubernetes/client-node";
import { describeRef, refPath, type WorkloadRef } from "../contract/workload-ref.js";
import { kubeCall, kubeGet } from "./kube-call.js";
import type { Kube } from "./kube.js";
import { rawJson } from "./raw-request.js";

/** Any workload as tp reads it: metadata and a pod template (the rest of its spec is its own). */
export interface WorkloadObject {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
  spec?: {
    template?: V1PodTemplateSpec;
    replicas?: number;
    selector?: V1LabelSelector;
    /** StatefulSets: the headless Service and the claims of each replica. */
    serviceName?: string;
    volumeClaimTemplates?: V1PersistentVolumeClaim[];
  };
}

const mergePatchType = "application/merge-patch+json";

/** Read a workload of any kind; undefined when it does not exist. */
export function readWorkload(
  kube: Kube,
  namespace: string,
  ref: WorkloadRef,
): Promise<WorkloadObject | undefined> {
  return kubeGet(`read ${describeRef(ref, namespace)}`, () =>
    rawJson<WorkloadObject>(kube, { path: refPath(ref, namespace) }),
  );
}

/** The names of the workloads of a kind in a namespace. */
export async function listNamesOf(kube: Kube, namespace: string, ref: WorkloadRef): Promise<string[]> {
  const path = refPath({ ...ref, name: "" }, namespace).replace(/\/$/, "");
  const list = await kubeCall(`list ${ref.resource} in ${namespace}`, () =>
    rawJson<{ items?: WorkloadObject[] }>(kube, { path }),
  );
  return (list.items ?? []).map((o) => o.metadata?.name ?? "").filter(Boolean);
}

/** A JSON merge patch of a workload (annotations; resourceVersion makes it conditional). */
export function patchWorkload(
  kube: Kube,
  namespace: string,
  ref: WorkloadRef,
  body: unknown,
  what: string,
): Promise<WorkloadObject> {
  return kubeCall(what, () =>
    rawJson<WorkloadObject>(kube, {
      method: "PATCH",
      path: refPath(ref, namespace),
      body,
      contentType: mergePatchType,
    }),
  );
}

/** The replicas a workload asks for, through its scale subresource. */
export async function readReplicas(kube: Kube, namespace: string, ref: WorkloadRef): Promise<number> {
  const scale = await kubeCall(`read the scale of ${describeRef(ref, namespace)}`, () =>
    rawJson<{ spec?: { replicas?: number } }>(kube, { path: `${refPath(ref, namespace)}/scale` }),
  );
  return scale.spec?.replicas ?? 0;
}

/** Set a workload's replicas through its scale subresource, whatever its kind. */
export async function scaleWorkload(
  kube: Kube,
  namespace: string,
  ref: WorkloadRef,
  replicas: number,
): Promise<void> {
  await kubeCall(`scale ${describeRef(ref, namespace)} to ${replicas}`, () =>
    rawJson(kube, {
      method: "PATCH",
      path: `${refPath(ref, namespace)}/scale`,
      body: { spec: { replicas } },
      contentType: mergePatchType,
    }),
  );
}
