import type { V1Endpoints, V1Pod, V1Service } from "@kubernetes/client-node";
import type { Answer } from "dns-packet";
import { clusterDomain } from "./pod-files.js";

/** What cluster DNS answers from: the API objects it watches. */
export interface DnsSource {
  services(): V1Service[];
  endpoints(namespace: string, name: string): V1Endpoints | undefined;
  pods(): V1Pod[];
}

export interface DnsResult {
  rcode: "NOERROR" | "NXDOMAIN" | "REFUSED";
  answers: Answer[];
}

const ttl = 5;
const zone = clusterDomain;

function dashed(ip: string): string {
  return ip.replaceAll(".", "-").replaceAll(":", "-");
}

interface EndpointAddr {
  ip: string;
  hostname?: string;
  ports: { name?: string; port: number; protocol?: string }[];
}

function readyAddresses(ep: V1Endpoints | undefined): EndpointAddr[] {
  const out: EndpointAddr[] = [];
  for (const s of ep?.subsets ?? []) {
    for (const a of s.addresses ?? []) out.push({ ip: a.ip, hostname: a.hostname, ports: s.ports ?? [] });
  }
  return out;
}

/**
 * The records of the Kubernetes DNS specification (the CoreDNS kubernetes plugin): services,
 * headless services' endpoints, SRV for named ports, pod A records and PTR.
 */
export function resolve(src: DnsSource, qname: string, qtype: string): DnsResult {
  const name = qname.toLowerCase().replace(/\.$/, "");
  const nx: DnsResult = { rcode: "NXDOMAIN", answers: [] };
  const records: Answer[] = [];
  const a = (ip: string): Answer => ({ name: qname, type: "A", ttl, class: "IN", data: ip });

  if (name.endsWith(".in-addr.arpa")) {
    const ip = name.slice(0, -".in-addr.arpa".length).split(".").reverse().join(".");
    for (const svc of src.services()) {
      if (svc.spec?.clusterIP === ip) {
        records.push({
          name: qname,
          type: "PTR",
          ttl,
          class: "IN",
          data: `${svc.metadata?.name}.${svc.metadata?.namespace}.svc.${zone}`,
        });
      }
      const ep = src.endpoints(svc.metadata?.namespace ?? "", svc.metadata?.name ?? "");
      if (svc.spec?.clusterIP === "None") {
        for (const e of readyAddresses(ep)) {
          if (e.ip === ip) {
            const host = e.hostname ?? dashed(e.ip);
            records.push({
              name: qname,
              type: "PTR",
              ttl,
              class: "IN",
              data: `${host}.${svc.metadata?.name}.${svc.metadata?.namespace}.svc.${zone}`,
            });
          }
        }
      }
    }
    if (!records.length) {
      const pod = src.pods().find((p) => p.status?.podIP === ip);
      if (pod)
        records.push({
          name: qname,
          type: "PTR",
          ttl,
          class: "IN",
          data: `${dashed(ip)}.${pod.metadata?.namespace}.pod.${zone}`,
        });
    }
    return records.length
      ? { rcode: "NOERROR", answers: qtype === "PTR" || qtype === "ANY" ? records : [] }
      : nx;
  }

  if (name !== zone && !name.endsWith(`.${zone}`)) return nx;
  const labels = name === zone ? [] : name.slice(0, -(zone.length + 1)).split(".");
  if (labels.length === 0) return { rcode: "NOERROR", answers: [] };

  // <a-b-c-d>.<ns>.pod.cluster.local
  if (labels.length === 3 && labels[2] === "pod") {
    const ip = (labels[0] ?? "").replaceAll("-", ".");
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip)) return nx;
    return { rcode: "NOERROR", answers: qtype === "A" || qtype === "ANY" ? [a(ip)] : [] };
  }
  const svcIdx = labels.lastIndexOf("svc");
  if (svcIdx < 0 || svcIdx !== labels.length - 1) return nx;
  const rest = labels.slice(0, svcIdx);
  if (rest.length < 2) {
    // "svc.cluster.local" or "<ns>.svc.cluster.local": existing zones without records
    return { rcode: "NOERROR", answers: [] };
  }
  const ns = rest.at(-1) ?? "";
  const svcName = rest.at(-2) ?? "";
  const prefix = rest.slice(0, -2);
  const svc = src.services().find((s) => s.metadata?.namespace === ns && s.metadata?.name === svcName);
  if (!svc) return nx;
  const headless = svc.spec?.clusterIP === "None";
  const eps = readyAddresses(src.endpoints(ns, svcName));
  const fqdn = `${svcName}.${ns}.svc.${zone}`;
  const want = (t: string) => qtype === t || qtype === "ANY";

  if (prefix.length === 0) {
    if (svc.spec?.type === "ExternalName" && svc.spec.externalName) {
      return {
        rcode: "NOERROR",
        answers: [{ name: qname, type: "CNAME", ttl, class: "IN", data: svc.spec.externalName }],
      };
    }
    if (want("A")) {
      if (headless) for (const e of eps) records.push(a(e.ip));
      else if (svc.spec?.clusterIP) records.push(a(svc.spec.clusterIP));
    }
    if (want("SRV")) records.push(...srv(qname, svc, eps, fqdn, undefined, undefined));
    return { rcode: "NOERROR", answers: records };
  }
  if (prefix.length === 1) {
    // <hostname>.<svc>.<ns>.svc.cluster.local: an endpoint of a headless service
    const host = prefix[0] ?? "";
    const matches = eps.filter((e) => (e.hostname ?? dashed(e.ip)) === host);
    for (const p of src.pods()) {
      if (
        p.metadata?.namespace === ns &&
        p.spec?.hostname === host &&
        p.spec?.subdomain === svcName &&
        p.status?.podIP
      ) {
        if (!matches.some((m) => m.ip === p.status?.podIP))
          matches.push({ ip: p.status.podIP, hostname: host, ports: [] });
      }
    }
    if (!matches.length) return nx;
    return { rcode: "NOERROR", answers: want("A") ? matches.map((m) => a(m.ip)) : [] };
  }
  if (prefix.length === 2 && prefix[0]?.startsWith("_") && prefix[1]?.startsWith("_")) {
    const port = prefix[0].slice(1);
    const proto = prefix[1].slice(1);
    const answers = srv(qname, svc, eps, fqdn, port, proto);
    if (!answers.length) return nx;
    return { rcode: "NOERROR", answers: want("SRV") ? answers : [] };
  }
  return nx;
}

function srv(
  qname: string,
  svc: V1Service,
  eps: EndpointAddr[],
  fqdn: string,
  portName: string | undefined,
  proto: string | undefined,
): Answer[] {
  const out: Answer[] = [];
  for (const p of svc.spec?.ports ?? []) {
    if (portName !== undefined && (p.name ?? "").toLowerCase() !== portName) continue;
    if (proto !== undefined && (p.protocol ?? "TCP").toLowerCase() !== proto) continue;
    if (svc.spec?.clusterIP === "None") {
      for (const e of eps) {
        const ep = e.ports.find((x) => (x.name ?? "") === (p.name ?? "")) ?? e.ports[0];
        out.push({
          name: qname,
          type: "SRV",
          ttl,
          class: "IN",
          data: {
            priority: 0,
            weight: 100,
            port: ep?.port ?? p.port,
            target: `${e.hostname ?? dashed(e.ip)}.${fqdn}`,
          },
        });
      }
    } else {
      out.push({
        name: qname,
        type: "SRV",
        ttl,
        class: "IN",
        data: { priority: 0, weight: 100, port: p.port, target: fqdn },
      });
    }
  }
  return out;
}
