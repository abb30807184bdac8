import { isJsonObject, type JsonObject, asObject as obj } from "../../shared/kube-object.js";
import { age } from "./human-duration.js";
import { col, type Printer } from "./table-types.js";

const num = (v: unknown): number => (typeof v === "number" ? v : 0);

function containerCells(o: JsonObject): [string, string] {
  const cs = obj(obj(obj(o.spec).template).spec).containers;
  const list = Array.isArray(cs) ? cs.filter(isJsonObject) : [];
  return [list.map((c) => String(c.name)).join(","), list.map((c) => String(c.image)).join(",")];
}

/** Access modes as kubectl abbreviates them (RWO, ROX, RWX, RWOP). */
function modes(v: unknown): string {
  const short: Record<string, string> = {
    ReadWriteOnce: "RWO",
    ReadOnlyMany: "ROX",
    ReadWriteMany: "RWX",
    ReadWriteOncePod: "RWOP",
  };
  return (Array.isArray(v) ? v : []).map((m) => short[String(m)] ?? String(m)).join(",");
}

export const statefulSetPrinter: Printer = {
  columns: [
    col("Name"),
    col("Ready"),
    col("Age"),
    col("Containers", "string", 1),
    col("Images", "string", 1),
  ],
  row(o) {
    const [containers, images] = containerCells(o as unknown as JsonObject);
    return [
      o.metadata.name ?? "",
      `${num(obj(o.status).readyReplicas)}/${num(obj(o.spec).replicas)}`,
      age(o.metadata.creationTimestamp),
      containers,
      images,
    ];
  },
};

export const persistentVolumeClaimPrinter: Printer = {
  columns: [
    col("Name"),
    col("Status"),
    col("Volume"),
    col("Capacity"),
    col("Access Modes"),
    col("StorageClass"),
    col("VolumeAttributesClass"),
    col("Age"),
    col("VolumeMode", "string", 1),
  ],
  row(o) {
    const s = obj(o.spec);
    const st = obj(o.status);
    return [
      o.metadata.name ?? "",
      String(st.phase ?? "Pending"),
      String(s.volumeName ?? ""),
      String(obj(st.capacity).storage ?? ""),
      modes(st.accessModes),
      String(s.storageClassName ?? ""),
      "<unset>",
      age(o.metadata.creationTimestamp),
      String(s.volumeMode ?? "Filesystem"),
    ];
  },
};

export const persistentVolumePrinter: Printer = {
  columns: [
    col("Name"),
    col("Capacity"),
    col("Access Modes"),
    col("Reclaim Policy"),
    col("Status"),
    col("Claim"),
    col("StorageClass"),
    col("VolumeAttributesClass"),
    col("Reason"),
    col("Age"),
    col("VolumeMode", "string", 1),
  ],
  row(o) {
    const s = obj(o.spec);
    const ref = obj(s.claimRef);
    return [
      o.metadata.name ?? "",
      String(obj(s.capacity).storage ?? ""),
      modes(s.accessModes),
      String(s.persistentVolumeReclaimPolicy ?? ""),
      String(obj(o.status).phase ?? ""),
      ref.name ? `${String(ref.namespace)}/${String(ref.name)}` : "",
      String(s.storageClassName ?? ""),
      "<unset>",
      "",
      age(o.metadata.creationTimestamp),
      String(s.volumeMode ?? "Filesystem"),
    ];
  },
};

export const crdPrinter: Printer = {
  columns: [col("Name"), col("Created At", "date")],
  row(o) {
    return [o.metadata.name ?? "", String(o.metadata.creationTimestamp ?? "")];
  },
};
