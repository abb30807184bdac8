import type { KubeObject } from "../../shared/kube-object.js";
import { resources, resourceKey, type ResourceDef } from "../resource-table.js";
import type { ObjectStore } from "../store/object-store.js";

export interface Dependent {
  def: ResourceDef;
  object: KubeObject;
}

/** Objects whose ownerReferences name `uid`. */
export function dependentsOf(store: ObjectStore, uid: string, ns: string | undefined): Dependent[] {
  const out: Dependent[] = [];
  for (const def of resources) {
    if (!def.namespaced && ns !== undefined) continue;
    for (const o of store.list(resourceKey(def), def.namespaced ? ns : undefined)) {
      if (o.metadata.ownerReferences?.some((r) => r.uid === uid)) out.push({ def, object: o });
    }
  }
  return out;
}
