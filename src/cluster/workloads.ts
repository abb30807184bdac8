import type { V1Container } from "@kubernetes/client-node";
import { deploymentRef, describeRef, type WorkloadRef } from "../contract/workload-ref.js";
import { NotFoundError, TpError, UsageError } from "../errors.js";
import { qualifiedName, resolveWorkloadType } from "../kube/api-resources.js";
import type { Kube } from "../kube/kube.js";
import { listNamesOf, readWorkload, type WorkloadObject } from "../kube/workload-api.js";
import { requireNamespace } from "./deployments.js";

/** What the user named: `web`, `statefulset/db`, `rollouts.argoproj.io/web`, with `:CONTAINER`. */
export interface WorkloadTarget {
  /** KIND of KIND/NAME as typed (absent: a Deployment). */
  type?: string;
  name: string;
  container?: string;
}

const dns = "[a-z0-9]([-a-z0-9.]*[a-z0-9])?";

/** Parse [KIND/]NAME[:CONTAINER]. */
export function parseWorkload(value: string): WorkloadTarget {
  const m = new RegExp(`^(?:([A-Za-z0-9][-A-Za-z0-9.]*)/)?(${dns})(?::(${dns}))?$`).exec(value);
  if (!m?.[2]) throw new UsageError(`"${value}" is not a valid [KIND/]NAME[:CONTAINER]`);
  return { ...(m[1] ? { type: m[1] } : {}), name: m[2], ...(m[4] ? { container: m[4] } : {}) };
}

/** The text of a target as the user wrote it (without the container). */
export function targetText(t: WorkloadTarget): string {
  return t.type ? `${t.type}/${t.name}` : t.name;
}

/** A workload found in the cluster: its resource, the object, and its pod template. */
export interface FoundWorkload {
  ref: WorkloadRef;
  object: WorkloadObject;
}

/**
 * Find a workload of any kind through API discovery (a bare NAME is a Deployment) and check that
 * it has a pod template; errors name what exists.
 */
export async function findWorkload(
  kube: Kube,
  namespace: string,
  target: WorkloadTarget,
): Promise<FoundWorkload> {
  let ref: WorkloadRef;
  let plural = "deployments";
  if (target.type === undefined) ref = deploymentRef(target.name);
  else {
    const r = await resolveWorkloadType(kube, target.type);
    ref = { group: r.group, version: r.version, resource: r.resource, kind: r.kind, name: target.name };
    plural = qualifiedName(r);
  }
  const object = await readWorkload(kube, namespace, ref);
  if (!object) {
    await requireNamespace(kube, namespace);
    const names = await listNamesOf(kube, namespace, ref).catch(() => []);
    throw new NotFoundError(`${ref.kind.toLowerCase()} "${ref.name}" not found in namespace ${namespace}`, {
      hint: names.length
        ? `${plural} in ${namespace}: ${names.join(", ")}`
        : `namespace ${namespace} has no ${plural}`,
    });
  }
  if (!object.spec?.template?.spec?.containers?.length)
    throw new UsageError(
      `${describeRef(ref, namespace)} has no pod template (spec.template) to start a proxy from`,
    );
  return { ref, object };
}

/** The container to swap: the named one, or the only one. */
export function chooseContainer(
  found: FoundWorkload,
  name: string | undefined,
  namespace: string,
): V1Container {
  const containers = found.object.spec?.template?.spec?.containers ?? [];
  const names = containers.map((c) => c.name);
  const id = describeRef(found.ref, namespace);
  if (name !== undefined) {
    const c = containers.find((x) => x.name === name);
    if (!c)
      throw new NotFoundError(`${id} has no container "${name}"`, {
        hint: `its containers: ${names.join(", ")}`,
      });
    return c;
  }
  if (containers.length !== 1)
    throw new UsageError(`${id} has ${containers.length} containers: say which one to swap`, {
      hint: `--swap-deployment ${found.ref.kind.toLowerCase()}/${found.ref.name}:CONTAINER with CONTAINER one of ${names.join(", ")}`,
    });
  return containers[0] as V1Container;
}

/**
 * A workload managed by another (a ReplicaSet of a Deployment, of a Rollout) is refused: its
 * controller would scale it back. The line names the owner to swap instead.
 */
export function checkNotOwned(found: FoundWorkload, namespace: string): void {
  const owner = found.object.metadata?.ownerReferences?.find((o) => o.controller);
  if (!owner) return;
  const kind = owner.kind.toLowerCase();
  throw new TpError(
    "config",
    `${describeRef(found.ref, namespace)} is managed by ${kind} ${owner.name}: its controller would undo the swap`,
    { hint: `swap ${kind}/${owner.name} instead` },
  );
}
