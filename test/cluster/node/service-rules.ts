import type { V1Endpoints, V1Service } from "@kubernetes/client-node";

export interface Target {
  ip: string;
  port: number;
}

/** One (ClusterIP, port, protocol) of a Service and its ready endpoints. */
export interface ServicePort {
  namespace?: string;
  service: string;
  /** namespace/name:port-name, for comments and logs. */
  name: string;
  ip: string;
  port: number;
  proto: "tcp" | "udp" | "sctp";
  /** The Service's port name, as Endpoints ports are matched. */
  portName?: string;
  targets: Target[];
}

/** The chains the node owns; each sync declares (and so flushes) them and fills them again. */
export const chains = {
  nat: ["TP-SERVICES", "TP-POSTROUTING"],
  filter: ["TP-SERVICES"],
} as const;

/** Where our chains hang off the built-in ones (table, built-in chain, our chain). */
export const jumps: [table: string, from: string, to: string][] = [
  ["nat", "PREROUTING", "TP-SERVICES"],
  ["nat", "OUTPUT", "TP-SERVICES"],
  ["nat", "POSTROUTING", "TP-POSTROUTING"],
  ["filter", "INPUT", "TP-SERVICES"],
  ["filter", "OUTPUT", "TP-SERVICES"],
];

/** The packet mark that asks POSTROUTING to masquerade a connection (kube-proxy's KUBE-MARK-MASQ). */
export const masqMark = "0x4000";

/** Ready endpoints of a service port (by port name, as kube-proxy matches them). */
export function readyTargets(ep: V1Endpoints | undefined, portName: string | undefined): Target[] {
  const out: Target[] = [];
  for (const subset of ep?.subsets ?? []) {
    const port =
      subset.ports?.find((p) => (p.name ?? "") === (portName ?? "")) ??
      (subset.ports?.length === 1 ? subset.ports[0] : undefined);
    if (!port) continue;
    for (const a of subset.addresses ?? []) out.push({ ip: a.ip, port: port.port });
  }
  return out;
}

/**
 * Every port of every Service with a ClusterIP, with its ready endpoints, but those `reserved`
 * ("ip:port/proto", served by the node itself).
 */
export function servicePorts(
  services: V1Service[],
  endpointsOf: (namespace: string | undefined, name: string) => V1Endpoints | undefined,
  reserved: Set<string>,
): ServicePort[] {
  const out: ServicePort[] = [];
  for (const svc of services) {
    const ip = svc.spec?.clusterIP;
    if (!ip || ip === "None") continue;
    const ns = svc.metadata?.namespace;
    const svcName = svc.metadata?.name ?? "";
    for (const p of svc.spec?.ports ?? []) {
      const proto = (p.protocol ?? "TCP").toLowerCase() as ServicePort["proto"];
      if (reserved.has(`${ip}:${p.port}/${proto}`)) continue;
      out.push({
        namespace: ns,
        service: svcName,
        name: `${ns}/${svcName}:${p.name ?? ""}`,
        ip,
        port: p.port,
        proto,
        portName: p.name,
        targets: readyTargets(endpointsOf(ns, svcName), p.name),
      });
    }
  }
  return out;
}

/**
 * The input of `iptables-restore --noflush` that makes the kernel route the TCP ports, as
 * kube-proxy's iptables mode does, much smaller: per port with ready endpoints, nat TP-SERVICES
 * marks the connection for masquerade and DNATs it to endpoint i of n with probability 1/(n-i)
 * (each endpoint thus gets 1/n); TP-POSTROUTING masquerades marked connections, so replies come
 * back through the node (pods share one L2 network, and a pod may reach itself). A port without
 * ready endpoints is rejected with a reset (filter TP-SERVICES), as kube-proxy rejects it.
 * Other protocols are left to the userspace proxy.
 */
export function renderRules(ports: ServicePort[]): string {
  const nat: string[] = [];
  const filter: string[] = [];
  nat.push(`-A TP-POSTROUTING -m mark ! --mark ${masqMark}/${masqMark} -j RETURN`);
  // Clear the mark: a packet that goes on to another netfilter pass must not be masqueraded again.
  nat.push(`-A TP-POSTROUTING -j MARK --xor-mark ${masqMark}`);
  nat.push(`-A TP-POSTROUTING -j MASQUERADE`);
  const sorted = ports
    .filter((p) => p.proto === "tcp")
    .sort((a, b) => a.ip.localeCompare(b.ip) || a.port - b.port);
  for (const p of sorted) {
    const match = `-d ${p.ip}/32 -p tcp -m tcp --dport ${p.port} -m comment --comment "${comment(p.name)}"`;
    if (!p.targets.length) {
      filter.push(`-A TP-SERVICES ${match} -j REJECT --reject-with tcp-reset`);
      continue;
    }
    nat.push(`-A TP-SERVICES ${match} -j MARK --or-mark ${masqMark}`);
    const n = p.targets.length;
    p.targets.forEach((t, i) => {
      const left = n - i;
      const stat = left > 1 ? ` -m statistic --mode random --probability ${(1 / left).toFixed(10)}` : "";
      nat.push(`-A TP-SERVICES ${match}${stat} -j DNAT --to-destination ${t.ip}:${t.port}`);
    });
  }
  const table = (name: string, own: readonly string[], rules: string[]) => [
    `*${name}`,
    ...own.map((c) => `:${c} - [0:0]`),
    ...rules,
    "COMMIT",
  ];
  return [...table("nat", chains.nat, nat), ...table("filter", chains.filter, filter), ""].join("\n");
}

/** A comment iptables-restore reads back as one word: no quotes or backslashes. */
function comment(s: string): string {
  return s.replace(/["\\]/g, "_");
}
