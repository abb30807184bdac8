import { isJsonObject, type JsonObject, type KubeObject } from "../../shared/kube-object.js";
import { resourceByPlural } from "../resource-table.js";
import type { Registry } from "../registry/registry.js";
import type { StoreEvent } from "../store/object-store.js";
import { WorkQueue, nsKey, splitKey } from "./work-queue.js";

const pvcDef = resourceByPlural("", "persistentvolumeclaims");
const pvDef = resourceByPlural("", "persistentvolumes");

/** Where the node keeps the data of provisioned volumes (a host path, like local-path-provisioner). */
export const volumesRoot = process.env.TP_VOLUMES_ROOT ?? "/var/lib/tp-test-cluster/volumes";

/**
 * The persistent volume controller with a dynamic provisioner: every pending claim gets a new
 * PersistentVolume (a directory on the node, `pvc-<claim uid>`) bound to it both ways; a volume
 * whose claim is deleted goes too (reclaim policy Delete). The data outlives the pods that mount it.
 */
export class VolumeBinder {
  readonly queue: WorkQueue;

  constructor(private readonly registry: Registry) {
    this.queue = new WorkQueue("persistentvolume-binder", (k) => this.sync(k));
  }

  onEvent(e: StoreEvent): void {
    if (e.resource === "/persistentvolumeclaims")
      this.queue.add(nsKey(e.object.metadata.namespace, e.object.metadata.name ?? ""));
    if (e.resource === "/persistentvolumes" && e.type !== "DELETED") {
      const ref = (e.object.spec as JsonObject | undefined)?.claimRef;
      if (isJsonObject(ref)) this.queue.add(nsKey(ref.namespace as string, ref.name as string));
      else this.queue.add(`pv:${e.object.metadata.name}`);
    }
  }

  sync(key: string): void {
    if (key.startsWith("pv:")) return;
    const [ns, name] = splitKey(key);
    const claim = this.registry.find(pvcDef, ns, name);
    const volumes = this.registry.list(pvDef, undefined);
    if (!claim || claim.metadata.deletionTimestamp) {
      // Reclaim policy Delete: the claim's provisioned volume goes with it.
      for (const pv of volumes) {
        const ref = (pv.spec as JsonObject).claimRef as JsonObject | undefined;
        if (
          ref?.namespace === ns &&
          ref.name === name &&
          (pv.spec as JsonObject).persistentVolumeReclaimPolicy === "Delete"
        )
          if (!claim || ref.uid === claim.metadata.uid)
            this.registry.delete(pvDef, undefined, pv.metadata.name ?? "", {});
      }
      return;
    }
    const spec = claim.spec as JsonObject;
    let pv = volumes.find(
      (v) => ((v.spec as JsonObject).claimRef as JsonObject | undefined)?.uid === claim.metadata.uid,
    );
    if (!pv) pv = this.provision(claim);
    if (spec.volumeName !== pv.metadata.name)
      this.registry.mutate(pvcDef, ns, name, (o) => ((o.spec as JsonObject).volumeName = pv.metadata.name));
    const pvSpec = pv.spec as JsonObject;
    const bound: JsonObject = {
      phase: "Bound",
      accessModes: pvSpec.accessModes ?? [],
      capacity: pvSpec.capacity ?? {},
    };
    if (JSON.stringify(claim.status) !== JSON.stringify(bound))
      this.registry.mutate(pvcDef, ns, name, (o) => (o.status = bound), "status");
    if ((pv.status as JsonObject | undefined)?.phase !== "Bound")
      this.registry.mutate(
        pvDef,
        undefined,
        pv.metadata.name ?? "",
        (o) => (o.status = { phase: "Bound" }),
        "status",
      );
  }

  private provision(claim: KubeObject): KubeObject {
    const spec = claim.spec as JsonObject;
    const requests =
      isJsonObject(spec.resources) && isJsonObject(spec.resources.requests) ? spec.resources.requests : {};
    const name = `pvc-${claim.metadata.uid}`;
    return this.registry.create(pvDef, undefined, {
      metadata: { name, annotations: { "pv.kubernetes.io/provisioned-by": "tp-test-cluster/local-path" } },
      spec: {
        capacity: { storage: requests.storage ?? "1Gi" },
        accessModes: spec.accessModes ?? ["ReadWriteOnce"],
        persistentVolumeReclaimPolicy: "Delete",
        ...(spec.storageClassName ? { storageClassName: spec.storageClassName } : {}),
        volumeMode: spec.volumeMode ?? "Filesystem",
        hostPath: { path: `${volumesRoot}/${name}`, type: "DirectoryOrCreate" },
        claimRef: {
          kind: "PersistentVolumeClaim",
          apiVersion: "v1",
          namespace: claim.metadata.namespace,
          name: claim.metadata.name,
          uid: claim.metadata.uid,
        },
      },
    });
  }
}
