import * as z from "zod/mini";

/**
 * A workload tp swaps, as recorded in the cluster (session info, warden plan): its API resource and
 * name, so that anything can restore it without knowing its kind.
 */
export const workloadRef = z.object({
  group: z.string(),
  version: z.string().check(z.minLength(1)),
  /** The resource (plural) of the API: "deployments", "statefulsets", "rollouts". */
  resource: z.string().check(z.minLength(1)),
  kind: z.string().check(z.minLength(1)),
  name: z.string().check(z.minLength(1)),
});
export type WorkloadRef = z.output<typeof workloadRef>;

/** The Deployment of a bare NAME. */
export function deploymentRef(name: string): WorkloadRef {
  return { group: "apps", version: "v1", resource: "deployments", kind: "Deployment", name };
}

/** How tp names a workload to the user: `deployment web`, `statefulset db`. */
export function describeRef(ref: WorkloadRef, namespace?: string): string {
  return `${ref.kind.toLowerCase()} ${namespace ? `${namespace}/` : ""}${ref.name}`;
}

/** KIND/NAME as kubectl takes it back: `statefulset.apps/db`, `rollout.argoproj.io/web`. */
export function refArgument(ref: WorkloadRef): string {
  return `${ref.kind.toLowerCase()}${ref.group ? `.${ref.group}` : ""}/${ref.name}`;
}

/** The API path of the workload (`/apis/apps/v1/namespaces/ns/statefulsets/db`). */
export function refPath(ref: Omit<WorkloadRef, "kind">, namespace: string): string {
  const base = ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`;
  return `${base}/namespaces/${encodeURIComponent(namespace)}/${ref.resource}/${encodeURIComponent(ref.name)}`;
}

/** Whether a recorded value is a WorkloadRef (it comes from the cluster: check it). */
export function isWorkloadRef(v: unknown): v is WorkloadRef {
  return workloadRef.safeParse(v).success;
}
