import type { KubeObject } from "../../shared/kube-object.js";
import { resources } from "../resource-table.js";
import { dependentsOf } from "../registry/dependents.js";
import type { Registry } from "../registry/registry.js";
import type { StoreEvent } from "../store/object-store.js";
import { WorkQueue } from "./work-queue.js";

/**
 * Deletes dependents whose owners are all gone (background propagation), deletes the dependents
 * of an owner in foreground deletion and then releases it, and removes dangling references.
 */
export class GarbageCollector {
  readonly queue: WorkQueue;

  constructor(private readonly registry: Registry) {
    this.queue = new WorkQueue("garbage-collector", (k) => this.sync(k));
  }

  private exists(uid: string): KubeObject | undefined {
    return this.registry.store.findByUid(uid)?.object;
  }

  onEvent(e: StoreEvent): void {
    const m = e.object.metadata;
    if (e.type === "DELETED") this.queue.add(`owner:${m.uid}:${m.namespace ?? ""}`);
    if (m.deletionTimestamp && (m.finalizers ?? []).includes("foregroundDeletion"))
      this.queue.add(`owner:${m.uid}:${m.namespace ?? ""}`);
    if (e.type === "ADDED" && m.ownerReferences?.length)
      this.queue.add(`owner:${m.ownerReferences[0]!.uid}:${m.namespace ?? ""}`);
  }

  sync(key: string): void {
    const [, uid = "", ns = ""] = key.split(":");
    const owner = this.exists(uid);
    const dependents = dependentsOf(this.registry.store, uid, ns || undefined);
    if (owner && !owner.metadata.deletionTimestamp) return;
    if (owner) {
      // Foreground: the owner waits for its dependents.
      if (!(owner.metadata.finalizers ?? []).includes("foregroundDeletion")) return;
      const blocking = dependents.filter((d) =>
        d.object.metadata.ownerReferences?.some((r) => r.uid === uid && r.blockOwnerDeletion),
      );
      for (const d of blocking) {
        if (d.object.metadata.deletionTimestamp) continue;
        this.registry.delete(d.def, d.object.metadata.namespace, d.object.metadata.name ?? "", {
          propagationPolicy: "Foreground",
        });
      }
      if (blocking.length) return this.queue.addAfter(key, 500);
      const def = resources.find(
        (r) => r.kind === owner.kind && `${r.group ? `${r.group}/` : ""}${r.version}` === owner.apiVersion,
      );
      if (def)
        this.registry.mutate(def, owner.metadata.namespace, owner.metadata.name ?? "", (o) => {
          o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f) => f !== "foregroundDeletion");
        });
      return;
    }
    for (const d of dependents) {
      const others = (d.object.metadata.ownerReferences ?? []).filter(
        (r) => r.uid !== uid && this.exists(r.uid),
      );
      if (others.length) {
        this.registry.mutate(d.def, d.object.metadata.namespace, d.object.metadata.name ?? "", (o) => {
          o.metadata.ownerReferences = o.metadata.ownerReferences?.filter((r) => r.uid !== uid);
        });
      } else if (!d.object.metadata.deletionTimestamp) {
        this.registry.delete(d.def, d.object.metadata.namespace, d.object.metadata.name ?? "", {
          propagationPolicy: "Background",
        });
      }
    }
  }
}
