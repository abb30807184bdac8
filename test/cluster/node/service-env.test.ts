import { describe, expect, it } from "vitest";
import type { V1Service } from "@kubernetes/client-node";
import { serviceEnvVars, servicesForPod } from "./service-env.js";

const svc = (
  ns: string,
  name: string,
  ip: string,
  ports: { name?: string; port: number; protocol?: string }[],
) => ({ metadata: { namespace: ns, name }, spec: { clusterIP: ip, ports } }) as V1Service;

describe("serviceEnvVars", () => {
  it("writes the Docker-links variables of a kubelet", () => {
    const env = Object.fromEntries(
      serviceEnvVars([
        svc("a", "my-svc", "10.0.0.11", [
          { name: "http-alt", port: 80 },
          { port: 53, protocol: "UDP" },
        ]),
      ]),
    );
    expect(env).toEqual({
      MY_SVC_SERVICE_HOST: "10.0.0.11",
      MY_SVC_SERVICE_PORT: "80",
      MY_SVC_SERVICE_PORT_HTTP_ALT: "80",
      MY_SVC_PORT: "tcp://10.0.0.11:80",
      MY_SVC_PORT_80_TCP: "tcp://10.0.0.11:80",
      MY_SVC_PORT_80_TCP_PROTO: "tcp",
      MY_SVC_PORT_80_TCP_PORT: "80",
      MY_SVC_PORT_80_TCP_ADDR: "10.0.0.11",
      MY_SVC_PORT_53_UDP: "udp://10.0.0.11:53",
      MY_SVC_PORT_53_UDP_PROTO: "udp",
      MY_SVC_PORT_53_UDP_PORT: "53",
      MY_SVC_PORT_53_UDP_ADDR: "10.0.0.11",
    });
  });
  it("skips headless services", () => {
    expect(serviceEnvVars([svc("a", "h", "None", [{ port: 80 }])])).toEqual([]);
  });
  it("always includes the kubernetes service and the namespace's only with service links", () => {
    const all = [
      svc("default", "kubernetes", "10.0.0.1", [{ port: 443 }]),
      svc("a", "x", "10.0.0.2", [{ port: 1 }]),
    ];
    expect(servicesForPod(all, "a", true).map((s) => s.metadata?.name)).toEqual(["kubernetes", "x"]);
    expect(servicesForPod(all, "a", false).map((s) => s.metadata?.name)).toEqual(["kubernetes"]);
  });
});
