import type { V1Endpoints, V1Service, V1ServicePort } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { readyTargets, renderRules, servicePorts } from "./service-rules.js";

const svc = (name: string, ip: string, ports: V1ServicePort[]): V1Service => ({
  metadata: { namespace: "ns", name },
  spec: { clusterIP: ip, ports },
});

const endpoints: Record<string, V1Endpoints> = {
  web: {
    subsets: [
      {
        addresses: [{ ip: "10.244.64.2" }, { ip: "10.244.64.3" }, { ip: "10.244.64.4" }],
        notReadyAddresses: [{ ip: "10.244.64.9" }],
        ports: [
          { name: "http", port: 8080 },
          { name: "dns", port: 5353, protocol: "UDP" },
        ],
      },
    ],
  },
  one: { subsets: [{ addresses: [{ ip: "10.244.64.7" }], ports: [{ port: 9000 }] }] },
};

const services = [
  svc("web", "10.244.128.20", [
    { name: "http", port: 80 },
    { name: "dns", port: 53, protocol: "UDP" },
  ]),
  svc("one", "10.244.128.21", [{ port: 90 }]),
  svc("empty", "10.244.128.22", [{ port: 80 }]),
  svc("headless", "None", [{ port: 80 }]),
  svc("dns", "10.244.128.10", [{ name: "dns-tcp", port: 53, protocol: "TCP" }]),
];

const ports = () => servicePorts(services, (_ns, name) => endpoints[name], new Set(["10.244.128.10:53/tcp"]));

describe("the test cluster's kube-proxy rules", () => {
  it("takes the ready addresses of the Endpoints port of the same name", () => {
    expect(readyTargets(endpoints.web, "http").map((t) => `${t.ip}:${t.port}`)).toEqual([
      "10.244.64.2:8080",
      "10.244.64.3:8080",
      "10.244.64.4:8080",
    ]);
    expect(readyTargets(endpoints.one, undefined)).toEqual([{ ip: "10.244.64.7", port: 9000 }]);
    expect(readyTargets(undefined, "http")).toEqual([]);
  });

  it("lists each ClusterIP port but headless Services and reserved ones", () => {
    expect(ports().map((p) => `${p.name} ${p.ip}:${p.port}/${p.proto} ${p.targets.length}`)).toEqual([
      "ns/web:http 10.244.128.20:80/tcp 3",
      "ns/web:dns 10.244.128.20:53/udp 3",
      "ns/one: 10.244.128.21:90/tcp 1",
      "ns/empty: 10.244.128.22:80/tcp 0",
    ]);
  });

  it("DNATs each TCP port to its endpoints with probabilities 1/n, 1/(n-1)…, masquerades, rejects without endpoints", () => {
    const web = '-d 10.244.128.20/32 -p tcp -m tcp --dport 80 -m comment --comment "ns/web:http"';
    const one = '-d 10.244.128.21/32 -p tcp -m tcp --dport 90 -m comment --comment "ns/one:"';
    const empty = '-d 10.244.128.22/32 -p tcp -m tcp --dport 80 -m comment --comment "ns/empty:"';
    expect(renderRules(ports()).split("\n")).toEqual([
      "*nat",
      ":TP-SERVICES - [0:0]",
      ":TP-POSTROUTING - [0:0]",
      "-A TP-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN",
      "-A TP-POSTROUTING -j MARK --xor-mark 0x4000",
      "-A TP-POSTROUTING -j MASQUERADE",
      `-A TP-SERVICES ${web} -j MARK --or-mark 0x4000`,
      `-A TP-SERVICES ${web} -m statistic --mode random --probability 0.3333333333 -j DNAT --to-destination 10.244.64.2:8080`,
      `-A TP-SERVICES ${web} -m statistic --mode random --probability 0.5000000000 -j DNAT --to-destination 10.244.64.3:8080`,
      `-A TP-SERVICES ${web} -j DNAT --to-destination 10.244.64.4:8080`,
      `-A TP-SERVICES ${one} -j MARK --or-mark 0x4000`,
      `-A TP-SERVICES ${one} -j DNAT --to-destination 10.244.64.7:9000`,
      "COMMIT",
      "*filter",
      ":TP-SERVICES - [0:0]",
      `-A TP-SERVICES ${empty} -j REJECT --reject-with tcp-reset`,
      "COMMIT",
      "",
    ]);
  });

  it("with no Services, still declares (so flushes) every chain of ours", () => {
    expect(renderRules([])).toContain(":TP-SERVICES - [0:0]\n:TP-POSTROUTING - [0:0]\n");
    expect(renderRules([]).match(/^-A TP-SERVICES/m)).toBeNull();
    expect(renderRules([]).split("COMMIT").length).toBe(3);
  });
});
