// kubectl get's columns for the kinds the test cluster keeps without acting on them, as the
// server-side printers of k8s.io/kubernetes (pkg/printers/internalversion) make them.
import {
  type JsonObject,
  type KubeObject,
  asObject as obj,
  asObjects as list,
} from "../../shared/kube-object.js";
import { selectorString, type LabelSelectorObject } from "../selectors/label-selector.js";
import { age } from "./human-duration.js";
import { col, type Printer } from "./table-types.js";

const name = (o: KubeObject) => o.metadata.name ?? "";
const created = (o: KubeObject) => age(o.metadata.creationTimestamp);

export const networkPolicyPrinter: Printer = {
  columns: [col("Name"), col("Pod-Selector"), col("Age")],
  row: (o) => [
    name(o),
    selectorString(obj(o.spec).podSelector as LabelSelectorObject) || "<none>",
    created(o),
  ],
};

export const ingressPrinter: Printer = {
  columns: [col("Name"), col("Class"), col("Hosts"), col("Address"), col("Ports"), col("Age")],
  row(o) {
    const spec = obj(o.spec);
    const hosts = list(spec.rules)
      .map((r) => r.host)
      .filter((h): h is string => typeof h === "string" && h !== "");
    const lb = list(obj(obj(o.status).loadBalancer).ingress).map((i) => String(i.ip ?? i.hostname ?? ""));
    return [
      name(o),
      typeof spec.ingressClassName === "string" ? spec.ingressClassName : "<none>",
      hosts.length ? hosts.join(",") : "*",
      lb.filter(Boolean).join(","),
      list(spec.tls).length ? "80, 443" : "80",
      created(o),
    ];
  },
};

export const ingressClassPrinter: Printer = {
  columns: [col("Name"), col("Controller"), col("Parameters"), col("Age")],
  row(o) {
    const spec = obj(o.spec);
    const p = obj(spec.parameters);
    const parameters = p.kind
      ? `${p.apiGroup ? `${String(p.kind)}.${String(p.apiGroup)}` : String(p.kind)}/${String(p.name)}`
      : "<none>";
    return [name(o), String(spec.controller ?? ""), parameters, created(o)];
  },
};

export const podDisruptionBudgetPrinter: Printer = {
  columns: [
    col("Name"),
    col("Min Available"),
    col("Max Unavailable"),
    col("Allowed Disruptions", "integer"),
    col("Age"),
  ],
  row(o) {
    const spec = obj(o.spec);
    const text = (v: unknown) => (v === undefined || v === null ? "N/A" : String(v));
    return [
      name(o),
      text(spec.minAvailable),
      text(spec.maxUnavailable),
      Number(obj(o.status).disruptionsAllowed ?? 0),
      created(o),
    ];
  },
};

export const priorityClassPrinter: Printer = {
  columns: [
    col("Name"),
    col("Value", "integer"),
    col("Global-Default", "boolean"),
    col("Age"),
    col("PreemptionPolicy"),
  ],
  row: (o) => {
    const c = o as unknown as JsonObject;
    return [
      name(o),
      Number(c.value ?? 0),
      c.globalDefault === true,
      created(o),
      String(c.preemptionPolicy ?? ""),
    ];
  },
};

export const storageClassPrinter: Printer = {
  columns: [
    col("Name"),
    col("Provisioner"),
    col("ReclaimPolicy"),
    col("VolumeBindingMode"),
    col("AllowVolumeExpansion", "boolean"),
    col("Age"),
  ],
  row(o) {
    const c = o as unknown as JsonObject;
    const isDefault = [
      "storageclass.kubernetes.io/is-default-class",
      "storageclass.beta.kubernetes.io/is-default-class",
    ].some((k) => o.metadata.annotations?.[k] === "true");
    return [
      `${name(o)}${isDefault ? " (default)" : ""}`,
      String(c.provisioner ?? ""),
      String(c.reclaimPolicy ?? "Delete"),
      String(c.volumeBindingMode ?? "Immediate"),
      c.allowVolumeExpansion === true,
      created(o),
    ];
  },
};
