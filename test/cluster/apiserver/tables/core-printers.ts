import { type KubeObject, asObject as obj, asObjects as arr } from "../../shared/kube-object.js";
import { age } from "./human-duration.js";
import { col, type Printer } from "./table-types.js";

const name = (o: KubeObject): string => o.metadata.name ?? "";

export const servicePrinter: Printer = {
  columns: [
    col("Name"),
    col("Type"),
    col("Cluster-IP"),
    col("External-IP"),
    col("Port(s)"),
    col("Age"),
    col("Selector", "string", 1),
  ],
  row(svc) {
    const s = obj(svc.spec);
    const ingress = arr(obj(obj(svc.status).loadBalancer).ingress).map((i) => String(i.ip ?? i.hostname));
    const external = [...ingress, ...(Array.isArray(s.externalIPs) ? s.externalIPs.map(String) : [])];
    let ext = external.length ? external.join(",") : "<none>";
    if (s.type === "LoadBalancer" && !external.length) ext = "<pending>";
    if (s.type === "ExternalName") ext = String(s.externalName ?? "<none>");
    const ports = arr(s.ports)
      .map(
        (p) =>
          `${String(p.port)}${p.nodePort ? `:${String(p.nodePort)}` : ""}/${String(p.protocol ?? "TCP")}`,
      )
      .join(",");
    const sel = Object.entries(obj(s.selector))
      .sort()
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(",");
    return [
      name(svc),
      String(s.type ?? "ClusterIP"),
      String(s.clusterIP ?? "<none>"),
      ext,
      ports || "<none>",
      age(svc.metadata.creationTimestamp),
      sel || "<none>",
    ];
  },
};

export const endpointsPrinter: Printer = {
  columns: [col("Name"), col("Endpoints"), col("Age")],
  row(ep) {
    const list: string[] = [];
    for (const ss of arr(ep.subsets)) {
      const ports = arr(ss.ports);
      for (const a of arr(ss.addresses)) {
        if (!ports.length) list.push(String(a.ip));
        for (const p of ports) list.push(`${String(a.ip)}:${String(p.port)}`);
      }
    }
    let text = list.slice(0, 3).join(",");
    if (list.length > 3) text += ` + ${list.length - 3} more...`;
    return [name(ep), text || "<none>", age(ep.metadata.creationTimestamp)];
  },
};

export const configMapPrinter: Printer = {
  columns: [col("Name"), col("Data", "integer"), col("Age")],
  row: (cm) => [
    name(cm),
    Object.keys(obj(cm.data)).length + Object.keys(obj(cm.binaryData)).length,
    age(cm.metadata.creationTimestamp),
  ],
};

export const secretPrinter: Printer = {
  columns: [col("Name"), col("Type"), col("Data", "integer"), col("Age")],
  row: (s) => [
    name(s),
    String(s.type ?? "Opaque"),
    Object.keys(obj(s.data)).length,
    age(s.metadata.creationTimestamp),
  ],
};

export const namespacePrinter: Printer = {
  columns: [col("Name"), col("Status"), col("Age")],
  row: (ns) => [name(ns), String(obj(ns.status).phase ?? ""), age(ns.metadata.creationTimestamp)],
};

export const serviceAccountPrinter: Printer = {
  columns: [col("Name"), col("Secrets", "string"), col("Age")],
  row: (sa) => [name(sa), String(arr(sa.secrets).length), age(sa.metadata.creationTimestamp)],
};

export const nodePrinter: Printer = {
  columns: [
    col("Name"),
    col("Status"),
    col("Roles"),
    col("Age"),
    col("Version"),
    col("Internal-IP", "string", 1),
    col("External-IP", "string", 1),
    col("OS-Image", "string", 1),
    col("Kernel-Version", "string", 1),
    col("Container-Runtime", "string", 1),
  ],
  row(n) {
    const st = obj(n.status);
    const ready = arr(st.conditions).find((c) => c.type === "Ready");
    let status = ready ? (ready.status === "True" ? "Ready" : "NotReady") : "Unknown";
    if (obj(n.spec).unschedulable) status += ",SchedulingDisabled";
    const roles = Object.keys(n.metadata.labels ?? {})
      .filter((k) => k.startsWith("node-role.kubernetes.io/"))
      .map((k) => k.slice("node-role.kubernetes.io/".length));
    const addr = (t: string): string =>
      String(arr(st.addresses).find((a) => a.type === t)?.address ?? "<none>");
    const info = obj(st.nodeInfo);
    return [
      name(n),
      status,
      roles.join(",") || "<none>",
      age(n.metadata.creationTimestamp),
      String(info.kubeletVersion ?? ""),
      addr("InternalIP"),
      addr("ExternalIP"),
      String(info.osImage ?? "<unknown>"),
      String(info.kernelVersion ?? "<unknown>"),
      String(info.containerRuntimeVersion ?? "<unknown>"),
    ];
  },
};

export const eventPrinter: Printer = {
  columns: [
    col("Last Seen"),
    col("Type"),
    col("Reason"),
    col("Object"),
    col("Subobject", "string", 1),
    col("Source", "string", 1),
    col("Message"),
    col("First Seen", "string", 1),
    col("Count", "string", 1),
    col("Name", "string", 1),
  ],
  row(e) {
    const io = obj(e.involvedObject);
    const src = obj(e.source);
    const last = e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp;
    return [
      age(last),
      String(e.type ?? ""),
      String(e.reason ?? ""),
      `${String(io.kind ?? "").toLowerCase()}/${String(io.name ?? "")}`,
      String(io.fieldPath ?? ""),
      [src.component, src.host].filter(Boolean).map(String).join(", "),
      String(e.message ?? "").trim(),
      age(e.firstTimestamp ?? e.eventTime),
      String(e.count ?? 1),
      name(e),
    ];
  },
};

export const leasePrinter: Printer = {
  columns: [col("Name"), col("Holder"), col("Age")],
  row: (l) => [name(l), String(obj(l.spec).holderIdentity ?? ""), age(l.metadata.creationTimestamp)],
};

export const defaultPrinter: Printer = {
  columns: [
    col("Name"),
    {
      ...col("Created At", "date"),
      description:
        "CreationTimestamp is a timestamp representing the server time when this object was created.",
    },
  ],
  row: (o) => [name(o), String(o.metadata.creationTimestamp ?? "")],
};

export const endpointSlicePrinter: Printer = {
  columns: [col("Name"), col("AddressType"), col("Ports"), col("Endpoints"), col("Age")],
  row(s) {
    const ports = arr(s.ports).map((p) => String(p.port ?? ""));
    const addrs = arr(s.endpoints).flatMap((e) =>
      Array.isArray(e.addresses) ? e.addresses.map(String) : [],
    );
    let text = addrs.slice(0, 3).join(",");
    if (addrs.length > 3) text += ` + ${addrs.length - 3} more...`;
    return [
      name(s),
      String(s.addressType ?? ""),
      ports.join(",") || "<unset>",
      text || "<unset>",
      age(s.metadata.creationTimestamp),
    ];
  },
};
