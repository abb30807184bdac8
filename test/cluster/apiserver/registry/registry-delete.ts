import { kubeNow, type KubeObject } from "../../shared/kube-object.js";
import { ApiError, conflict, forbidden } from "../http/api-error.js";
import { resourceKey, type ResourceDef } from "../resource-table.js";
import { dependentsOf } from "./dependents.js";
import { groupResource, type Registry } from "./registry.js";
import { strategyFor } from "./strategies.js";
import type { DeleteOptions } from "./strategy.js";

export interface DeleteResult {
  object: KubeObject;
  /** Gone from storage now (false: it waits for grace or finalizers). */
  deleted: boolean;
}

const protectedNamespaces = ["default", "kube-system", "kube-public"];

function orphanDependents(reg: Registry, owner: KubeObject): void {
  const uid = owner.metadata.uid ?? "";
  for (const d of dependentsOf(reg.store, uid, owner.metadata.namespace)) {
    reg.mutate(d.def, d.object.metadata.namespace, d.object.metadata.name ?? "", (o) => {
      o.metadata.ownerReferences = o.metadata.ownerReferences?.filter((r) => r.uid !== uid);
      if (!o.metadata.ownerReferences?.length) delete o.metadata.ownerReferences;
    });
  }
}

/** The generic store's Delete, with graceful deletion, finalizers and propagation policies. */
export function deleteObject(
  reg: Registry,
  def: ResourceDef,
  ns: string | undefined,
  name: string,
  opts: DeleteOptions,
): DeleteResult {
  const gr = groupResource(def);
  const obj = reg.get(def, ns, name);
  const pre = opts.preconditions;
  if (pre?.uid && pre.uid !== obj.metadata.uid)
    throw conflict(
      gr,
      name,
      `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid}`,
    );
  if (pre?.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion)
    throw conflict(
      gr,
      name,
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion}`,
    );
  if (def.plural === "namespaces" && protectedNamespaces.includes(name))
    throw forbidden(gr, name, "this namespace may not be deleted");
  if (opts.gracePeriodSeconds !== undefined && opts.gracePeriodSeconds < 0)
    throw new ApiError(422, "Invalid", "gracePeriodSeconds must be >= 0");
  const s = strategyFor(def);
  const key = resourceKey(def);
  const storeNs = def.namespaced ? ns : undefined;
  const meta = obj.metadata;
  const policy = opts.propagationPolicy ?? (def.plural === "namespaces" ? "Background" : "Background");
  const finalizers = new Set(meta.finalizers ?? []);
  if (def.plural === "namespaces") {
    if (meta.deletionTimestamp) return { object: obj, deleted: false };
    if (opts.dryRun) return { object: obj, deleted: false };
    meta.deletionTimestamp = kubeNow();
    meta.deletionGracePeriodSeconds = 0;
    obj.status = { ...(obj.status as object), phase: "Terminating" };
    return { object: reg.store.update(key, obj), deleted: false };
  }
  if (policy === "Foreground") finalizers.add("foregroundDeletion");
  if (policy === "Orphan" && !opts.dryRun) orphanDependents(reg, obj);
  const grace = s.gracePeriod?.(obj, opts) ?? 0;
  if (meta.deletionTimestamp) {
    // Already being deleted: only a shorter grace period (or none) changes anything.
    const pending = meta.deletionGracePeriodSeconds ?? 0;
    if (pending > 0 && grace < pending && !finalizers.size) {
      if (opts.dryRun) return { object: obj, deleted: false };
      if (grace === 0) return { object: reg.store.remove(key, storeNs, name) ?? obj, deleted: true };
      meta.deletionGracePeriodSeconds = grace;
      meta.deletionTimestamp = kubeNow(new Date(Date.now() + grace * 1000));
      return { object: reg.store.update(key, obj), deleted: false };
    }
    if (policy === "Foreground" && !(meta.finalizers ?? []).includes("foregroundDeletion") && !opts.dryRun) {
      meta.finalizers = [...finalizers];
      return { object: reg.store.update(key, obj), deleted: false };
    }
    return { object: obj, deleted: false };
  }
  if (grace > 0 || finalizers.size) {
    if (opts.dryRun) return { object: obj, deleted: false };
    meta.deletionTimestamp = kubeNow(new Date(Date.now() + grace * 1000));
    meta.deletionGracePeriodSeconds = grace;
    if (finalizers.size) meta.finalizers = [...finalizers];
    if (s.tracksGeneration) meta.generation = (meta.generation ?? 1) + 1;
    return { object: reg.store.update(key, obj), deleted: false };
  }
  if (opts.dryRun) return { object: obj, deleted: true };
  const gone = reg.store.remove(key, storeNs, name) ?? obj;
  s.afterDelete?.(gone, reg.ctx);
  return { object: gone, deleted: true };
}
