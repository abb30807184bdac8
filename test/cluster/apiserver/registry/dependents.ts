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
    const matches = store.filter(
      resourceKey(def),
      (o) =>
        (!def.namespaced || ns === undefined || o.metadata.namespace === ns) &&
        !!o.metadata.ownerReferences?.some((r) => r.uid === uid),
    );
    for (const object of matches) out.push({ def, object });
  }
  return out;
}
