import type { V1Endpoints, V1Pod, V1Service } from "@kubernetes/client-node";
import dnsPacket, { type Answer } from "dns-packet";
import { describe, expect, it } from "vitest";
import { answer } from "./dns-server.js";
import { resolve, type DnsSource } from "./dns-records.js";

const services: V1Service[] = [
  {
    metadata: { name: "web", namespace: "shop" },
    spec: { clusterIP: "10.244.130.5", ports: [{ name: "http", port: 80, protocol: "TCP" }] },
  },
  {
    metadata: { name: "db", namespace: "shop" },
    spec: { clusterIP: "None", ports: [{ name: "pg", port: 5432 }] },
  },
];
const endpoints: Record<string, V1Endpoints> = {
  "shop/db": {
    metadata: { name: "db", namespace: "shop" },
    subsets: [
      {
        addresses: [{ ip: "10.244.64.7", hostname: "db-0" }, { ip: "10.244.64.8" }],
        ports: [{ name: "pg", port: 5432 }],
      },
    ],
  },
};
const data = (a: Answer): unknown => (a as { data?: unknown }).data;

const src: DnsSource = {
  services: () => services,
  endpoints: (ns, name) => endpoints[`${ns}/${name}`],
  pods: () => [] as V1Pod[],
};

describe("cluster DNS records", () => {
  it("answers A for a ClusterIP service and the ready endpoints of a headless one", () => {
    expect(resolve(src, "web.shop.svc.cluster.local", "A").answers.map(data)).toEqual(["10.244.130.5"]);
    expect(resolve(src, "db.shop.svc.cluster.local", "A").answers.map(data)).toEqual([
      "10.244.64.7",
      "10.244.64.8",
    ]);
    expect(resolve(src, "db-0.db.shop.svc.cluster.local", "A").answers.map(data)).toEqual(["10.244.64.7"]);
    expect(resolve(src, "10-244-64-8.db.shop.svc.cluster.local", "A").answers.map(data)).toEqual([
      "10.244.64.8",
    ]);
  });
  it("answers SRV for named ports, per endpoint for headless services", () => {
    expect(resolve(src, "_http._tcp.web.shop.svc.cluster.local", "SRV").answers.map(data)).toEqual([
      { priority: 0, weight: 100, port: 80, target: "web.shop.svc.cluster.local" },
    ]);
    const targets = resolve(src, "_pg._tcp.db.shop.svc.cluster.local", "SRV").answers.map(
      (a) => (data(a) as { target: string }).target,
    );
    expect(targets).toEqual(["db-0.db.shop.svc.cluster.local", "10-244-64-8.db.shop.svc.cluster.local"]);
  });
  it("answers NOERROR without records for AAAA, NXDOMAIN for unknown names, PTR for ClusterIPs", () => {
    expect(resolve(src, "web.shop.svc.cluster.local", "AAAA")).toEqual({ rcode: "NOERROR", answers: [] });
    expect(resolve(src, "nope.shop.svc.cluster.local", "A").rcode).toBe("NXDOMAIN");
    expect(resolve(src, "example.com", "A").rcode).toBe("NXDOMAIN");
    expect(resolve(src, "5.130.244.10.in-addr.arpa", "PTR").answers.map(data)[0]).toBe(
      "web.shop.svc.cluster.local",
    );
  });
  it("puts an SOA in the authority section of negative answers and sets TC when UDP overflows", () => {
    const q = dnsPacket.encode({
      type: "query",
      id: 7,
      questions: [{ type: "A", name: "nope.shop.svc.cluster.local" }],
    });
    const r = dnsPacket.decode(answer(src, q, 512));
    expect((r as { rcode?: string }).rcode).toBe("NXDOMAIN");
    expect(r.authorities?.[0]?.type).toBe("SOA");
    const many: V1Endpoints = {
      subsets: [
        { addresses: Array.from({ length: 60 }, (_, i) => ({ ip: `10.244.65.${i}` })), ports: [{ port: 1 }] },
      ],
    };
    const big: DnsSource = { ...src, endpoints: () => many };
    const q2 = dnsPacket.encode({
      type: "query",
      id: 8,
      questions: [{ type: "A", name: "db.shop.svc.cluster.local" }],
    });
    const udp = dnsPacket.decode(answer(big, q2, 512));
    expect(udp.flag_tc).toBe(true);
    expect(dnsPacket.decode(answer(big, q2)).answers?.length).toBe(60);
  });
});
