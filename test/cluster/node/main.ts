#!/usr/bin/env node
// The test cluster's node: kubelet (pods as Docker containers), kubelet API, kube-proxy and cluster DNS.
import "./dirname-shim.js";
import { readFileSync } from "node:fs";
import type {
  V1ConfigMap,
  V1Endpoints,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1Pod,
  V1Secret,
  V1Service,
} from "@kubernetes/client-node";
import Docker from "dockerode";
import { ApiClient } from "./api-client.js";
import { ClusterIPs } from "./cluster-ips.js";
import { DnsServer } from "./dns-server.js";
import { Informer } from "./informer.js";
import { KubeProxy } from "./kube-proxy.js";
import { Kubelet } from "./kubelet.js";
import { KubeletServer } from "./kubelet-server.js";
import { PortForwardHelpers } from "./port-forward-helper.js";
import { loadNodeConfig } from "./node-config.js";
import { NodeStatus } from "./node-status.js";
import { TokenManager } from "./token-manager.js";
import { VolumeManager } from "./volume-manager.js";

const log = (msg: string) => console.error(`${new Date().toISOString()} node: ${msg}`);

async function main(): Promise<void> {
  const cfg = loadNodeConfig();
  const api = new ApiClient({ server: cfg.server, token: cfg.token, ca: readFileSync(cfg.caPath) });
  const docker = new Docker({ socketPath: process.env.DOCKER_SOCKET ?? "/var/run/docker.sock" });

  const pods = new Informer<V1Pod>(api, "/api/v1/pods", log);
  const services = new Informer<V1Service>(api, "/api/v1/services", log);
  const endpoints = new Informer<V1Endpoints>(api, "/api/v1/endpoints", log);
  const configMaps = new Informer<V1ConfigMap>(api, "/api/v1/configmaps", log);
  const secrets = new Informer<V1Secret>(api, "/api/v1/secrets", log);
  const claims = new Informer<V1PersistentVolumeClaim>(api, "/api/v1/persistentvolumeclaims", log);
  const volumes = new Informer<V1PersistentVolume>(api, "/api/v1/persistentvolumes", log);
  const informers = [services, endpoints, configMaps, secrets, claims, volumes, pods];
  for (const i of informers) i.start();
  await Promise.all([services, endpoints, configMaps, secrets, claims, volumes].map((i) => i.synced));

  const version = await docker.version().catch(() => ({ Version: "unknown" }));
  const nodeStatus = new NodeStatus(
    api,
    { name: cfg.nodeName, ip: cfg.nodeIP, runtimeVersion: `docker://${version.Version}` },
    log,
  );
  await nodeStatus.register().catch((e) => log(`register node: ${e}`));

  const clusterIPs = new ClusterIPs(cfg.interface, log);
  await clusterIPs.add(cfg.dnsIP);
  const dnsSource = {
    services: () => services.list(),
    endpoints: (ns: string, name: string) => endpoints.get(ns, name),
    pods: () => pods.list(),
  };
  const dns = new DnsServer(dnsSource);
  await dns.listen(cfg.dnsIP, 53).catch((e) => log(`dns: ${e}`));
  const proxy = new KubeProxy(
    services,
    endpoints,
    clusterIPs,
    new Set([`${cfg.dnsIP}:53/udp`, `${cfg.dnsIP}:53/tcp`]),
    log,
  );
  proxy.start();

  const source = {
    configMap: (ns: string, name: string) => configMaps.get(ns, name),
    secret: (ns: string, name: string) => secrets.get(ns, name),
    persistentVolumeClaim: (ns: string, name: string) => claims.get(ns, name),
    persistentVolume: (name: string) => volumes.get(undefined, name),
  };
  const tokens = new TokenManager(api, cfg.caPath);
  const portForward = new PortForwardHelpers(docker);
  const kubelet = new Kubelet(
    {
      docker,
      api,
      volumes: new VolumeManager(cfg.podsRoot, source, tokens),
      tokens,
      source,
      services: () => services.list(),
      network: cfg.network,
      nodeName: cfg.nodeName,
      dnsIP: cfg.dnsIP,
      hostIP: cfg.nodeIP,
      log,
      portForward,
    },
    pods,
  );
  const server = new KubeletServer(docker, kubelet, portForward);
  await server.listen(cfg.nodeIP === "0.0.0.0" ? "0.0.0.0" : cfg.nodeIP, cfg.kubeletPort);
  await kubelet.start();
  // ConfigMap and Secret changes reach mounted volumes at once (a real kubelet takes up to a minute).
  configMaps.on(() => kubelet.kickAll());
  secrets.on(() => kubelet.kickAll());
  claims.on(() => kubelet.kickAll());
  log(`ready: kubelet on ${cfg.nodeIP}:${cfg.kubeletPort}, DNS on ${cfg.dnsIP}:53`);

  const stop = () => {
    log("stopping");
    kubelet.stop();
    nodeStatus.stop();
    server.close();
    dns.close();
    for (const i of informers) i.stop();
    api.close();
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((e) => {
  log(`fatal: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
