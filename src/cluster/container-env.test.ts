import type { V1ConfigMap, V1Container, V1Pod, V1Service } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { containerEnv, type EnvSources } from "./container-env.js";
import { NotKnownAhead } from "./downward-env.js";
import { expandEnvValue } from "./env-expansion.js";
import { parseQuantity, milliValue, wholeValue } from "./quantity.js";
import { serviceVariables, servicesForPod } from "./service-env.js";

const b64 = (s: string) => Buffer.from(s).toString("base64");

function pod(container: V1Container, extra: Partial<V1Pod["spec"]> = {}): V1Pod {
  return {
    metadata: {
      name: "web-tp-1",
      namespace: "ns",
      uid: "u-1",
      labels: { app: "web" },
      annotations: { a: "b" },
    },
    spec: { containers: [container], serviceAccountName: "sa", ...extra },
  };
}

const sources: EnvSources = {
  configMaps: new Map<string, V1ConfigMap>([
    ["cm", { data: { GREETING: "hi", LEVEL: "debug" } }],
    ["odd", { data: { "1st": "x", ok: "y" } }],
  ]),
  secrets: new Map([["sec", { data: { token: b64("s3cr3t") } }]]),
  services: [],
};

describe("containerEnv (the kubelet's makeEnvironmentVariables)", () => {
  it("takes envFrom with prefixes first, then env in order with expansion; env wins", () => {
    const c: V1Container = {
      name: "web",
      envFrom: [{ configMapRef: { name: "cm" }, prefix: "CFG_" }, { secretRef: { name: "sec" } }],
      env: [
        { name: "CFG_LEVEL", value: "info" },
        { name: "G", valueFrom: { configMapKeyRef: { name: "cm", key: "GREETING" } } },
        { name: "T", valueFrom: { secretKeyRef: { name: "sec", key: "token" } } },
        { name: "BOTH", value: "$(G)/$(T)/$(LATER)/$$(G)/$(CFG_GREETING)" },
        { name: "LATER", value: "late" },
      ],
    };
    const env = containerEnv(pod(c), c, sources);
    expect(Object.fromEntries(env)).toEqual({
      CFG_GREETING: "hi",
      CFG_LEVEL: "info",
      token: "s3cr3t",
      G: "hi",
      T: "s3cr3t",
      BOTH: "hi/s3cr3t/$(LATER)/$(G)/hi",
      LATER: "late",
    });
  });

  it("leaves out optional references that are missing, and says a required one cannot be known", () => {
    const c: V1Container = {
      name: "web",
      envFrom: [{ configMapRef: { name: "gone", optional: true } }],
      env: [
        { name: "A", valueFrom: { configMapKeyRef: { name: "cm", key: "nope", optional: true } } },
        { name: "B", valueFrom: { secretKeyRef: { name: "gone", key: "k", optional: true } } },
      ],
    };
    expect(Object.fromEntries(containerEnv(pod(c), c, sources))).toEqual({});
    const required: V1Container = {
      name: "web",
      env: [{ name: "A", valueFrom: { configMapKeyRef: { name: "cm", key: "nope" } } }],
    };
    expect(() => containerEnv(pod(required), required, sources)).toThrow(NotKnownAhead);
  });

  it("reads metadata fields ahead, and the pod's addresses and node only from its status", () => {
    const c: V1Container = {
      name: "web",
      env: [
        { name: "N", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
        { name: "NS", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
        { name: "L", valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        { name: "SA", valueFrom: { fieldRef: { fieldPath: "spec.serviceAccountName" } } },
        { name: "IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
        { name: "URL", value: "http://$(IP):80/$(N)" },
      ],
    };
    const p = pod(c);
    expect(() => containerEnv(p, c, sources)).toThrow(expect.objectContaining({ needs: "status" }));
    const env = containerEnv(p, c, sources, { podIPs: ["10.0.0.7"], hostIPs: [], nodeName: "n" });
    expect(Object.fromEntries(env)).toEqual({
      N: "web-tp-1",
      NS: "ns",
      L: "web",
      SA: "sa",
      IP: "10.0.0.7",
      URL: "http://10.0.0.7:80/web-tp-1",
    });
  });

  it("divides resources rounding up, and leaves an unset limit to the node", () => {
    const c: V1Container = {
      name: "web",
      resources: { limits: { cpu: "1500m", memory: "129M" }, requests: { cpu: "250m" } },
      env: [
        { name: "CPU", valueFrom: { resourceFieldRef: { resource: "limits.cpu" } } },
        { name: "CPU_M", valueFrom: { resourceFieldRef: { resource: "requests.cpu", divisor: "1m" } } },
        { name: "MEM_MI", valueFrom: { resourceFieldRef: { resource: "limits.memory", divisor: "1Mi" } } },
        { name: "MEM_REQ", valueFrom: { resourceFieldRef: { resource: "requests.memory" } } },
      ],
    };
    expect(Object.fromEntries(containerEnv(pod(c), c, sources))).toEqual({
      CPU: "2",
      CPU_M: "250",
      MEM_MI: "124",
      MEM_REQ: "0",
    });
    const unset: V1Container = {
      name: "web",
      env: [{ name: "X", valueFrom: { resourceFieldRef: { resource: "limits.memory" } } }],
    };
    expect(() => containerEnv(pod(unset), unset, sources)).toThrow(
      expect.objectContaining({ needs: "node" }),
    );
  });

  it("does not guess about envFrom keys that kubelets treat differently", () => {
    const c: V1Container = { name: "web", envFrom: [{ configMapRef: { name: "odd" } }] };
    expect(() => containerEnv(pod(c), c, sources)).toThrow(NotKnownAhead);
    const prefixed: V1Container = { name: "web", envFrom: [{ configMapRef: { name: "odd" }, prefix: "P_" }] };
    expect(Object.fromEntries(containerEnv(pod(prefixed), prefixed, sources))).toEqual({
      P_1st: "x",
      P_ok: "y",
    });
  });

  it("adds the service variables last, under the container's own, and uses them in expansion", () => {
    const svc: V1Service = {
      metadata: { name: "back-end", namespace: "ns" },
      spec: {
        clusterIP: "10.96.0.9",
        ports: [
          { name: "http", port: 80 },
          { name: "dns", port: 53, protocol: "UDP" },
        ],
      },
    };
    const c: V1Container = {
      name: "web",
      env: [
        { name: "BACK_END_SERVICE_PORT", value: "mine" },
        { name: "U", value: "$(BACK_END_SERVICE_HOST)" },
      ],
    };
    const env = Object.fromEntries(containerEnv(pod(c), c, { ...sources, services: [svc] }));
    expect(env).toMatchObject({
      BACK_END_SERVICE_PORT: "mine",
      U: "10.96.0.9",
      BACK_END_SERVICE_HOST: "10.96.0.9",
      BACK_END_SERVICE_PORT_HTTP: "80",
      BACK_END_SERVICE_PORT_DNS: "53",
      BACK_END_PORT: "tcp://10.96.0.9:80",
      BACK_END_PORT_53_UDP: "udp://10.96.0.9:53",
      BACK_END_PORT_53_UDP_PROTO: "udp",
      BACK_END_PORT_53_UDP_PORT: "53",
      BACK_END_PORT_53_UDP_ADDR: "10.96.0.9",
    });
    expect(Object.keys(env).indexOf("BACK_END_SERVICE_HOST")).toBeGreaterThan(Object.keys(env).indexOf("U"));
  });
});

describe("service links", () => {
  const svc = (name: string, namespace: string, clusterIP = "10.0.0.1"): V1Service => ({
    metadata: { name, namespace },
    spec: { clusterIP, ports: [{ port: 443 }] },
  });
  it("always includes default/kubernetes, the namespace's Services only with links on", () => {
    const master = svc("kubernetes", "default");
    expect(servicesForPod([svc("a", "ns")], master, "ns", false)).toEqual([master]);
    expect(servicesForPod([svc("a", "ns")], master, "ns", true).map((s) => s.metadata?.name)).toEqual([
      "kubernetes",
      "a",
    ]);
  });
  it("gives nothing for a headless Service and brackets an IPv6 address", () => {
    expect(serviceVariables([svc("h", "ns", "None")]).size).toBe(0);
    expect(serviceVariables([svc("v6", "ns", "fd00::1")]).get("V6_PORT")).toBe("tcp://[fd00::1]:443");
  });
});

describe("expansion and quantities", () => {
  it("expands as the kubelet does", () => {
    const look = (n: string) => ({ A: "1", B: "2" })[n];
    expect(expandEnvValue("$(A)$(B)", look)).toBe("12");
    expect(expandEnvValue("$$(A) $$ $x $( $(A", look)).toBe("$(A) $ $x $( $(A");
    expect(expandEnvValue("$(C) $() end$", look)).toBe("$(C) $() end$");
  });
  it("parses quantities exactly", () => {
    const q = (s: string) => parseQuantity(s) ?? { n: -1n, d: 1n };
    expect(milliValue(q("0.1"))).toBe(100n);
    expect(wholeValue(q("1.5Gi"))).toBe(1610612736n);
    expect(wholeValue(q("2e3"))).toBe(2000n);
    expect(milliValue(q("1n"))).toBe(1n);
    expect(parseQuantity("1Xi")).toBeUndefined();
  });
});
