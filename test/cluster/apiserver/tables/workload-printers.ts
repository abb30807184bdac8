import { isJsonObject, type KubeObject, asObject as obj } from "../../shared/kube-object.js";
import { selectorString, type LabelSelectorObject } from "../selectors/label-selector.js";
import { age } from "./human-duration.js";
import { col, type Printer } from "./table-types.js";

function containerCells(o: KubeObject): [string, string] {
  const cs = obj(obj(obj(o.spec).template).spec).containers;
  const list = Array.isArray(cs) ? cs.filter(isJsonObject) : [];
  return [list.map((c) => String(c.name)).join(","), list.map((c) => String(c.image)).join(",")];
}

function selectorCell(o: KubeObject): string {
  const s = selectorString(obj(o.spec).selector as LabelSelectorObject | undefined);
  return s || "<none>";
}

const num = (v: unknown): number => (typeof v === "number" ? v : 0);

export const deploymentPrinter: Printer = {
  columns: [
    col("Name"),
    col("Ready"),
    col("Up-to-date", "integer"),
    col("Available", "integer"),
    col("Age"),
    col("Containers", "string", 1),
    col("Images", "string", 1),
    col("Selector", "string", 1),
  ],
  row(d) {
    const s = obj(d.spec);
    const st = obj(d.status);
    return [
      d.metadata.name ?? "",
      `${num(st.readyReplicas)}/${num(s.replicas)}`,
      num(st.updatedReplicas),
      num(st.availableReplicas),
      age(d.metadata.creationTimestamp),
      ...containerCells(d),
      selectorCell(d),
    ];
  },
};

export const replicaSetPrinter: Printer = {
  columns: [
    col("Name"),
    col("Desired", "integer"),
    col("Current", "integer"),
    col("Ready", "integer"),
    col("Age"),
    col("Containers", "string", 1),
    col("Images", "string", 1),
    col("Selector", "string", 1),
  ],
  row(rs) {
    const st = obj(rs.status);
    return [
      rs.metadata.name ?? "",
      num(obj(rs.spec).replicas),
      num(st.replicas),
      num(st.readyReplicas),
      age(rs.metadata.creationTimestamp),
      ...containerCells(rs),
      selectorCell(rs),
    ];
  },
};

export const hpaPrinter: Printer = {
  columns: [
    col("Name"),
    col("Reference"),
    col("Targets"),
    col("MinPods", "string"),
    col("MaxPods", "integer"),
    col("Replicas", "integer"),
    col("Age"),
  ],
  row(h) {
    const s = obj(h.spec);
    const ref = obj(s.scaleTargetRef);
    const metrics = Array.isArray(s.metrics) ? s.metrics.filter(isJsonObject) : [];
    const targets = metrics.length
      ? metrics
          .map((m) => {
            const t = obj(obj(obj(m.resource).target));
            return `<unknown>/${t.averageUtilization !== undefined ? `${String(t.averageUtilization)}%` : String(t.averageValue ?? t.value ?? "")}`;
          })
          .join(", ")
      : "<none>";
    return [
      h.metadata.name ?? "",
      `${String(ref.kind)}/${String(ref.name)}`,
      targets,
      String(s.minReplicas ?? 1),
      num(s.maxReplicas),
      num(obj(h.status).currentReplicas),
      age(h.metadata.creationTimestamp),
    ];
  },
};
