import { readFile, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import type { ClientHttp2Session } from "node:http2";
import type { Server } from "node:net";
import { isIP } from "node:net";
import { Paths } from "../../contract/tunnel-protocol.js";
import { podResolvConf, type PodResolvConf } from "../../contract/tunnel-answers.js";
import { parseJsonMessage } from "../../contract/message.js";
import { TunnelClient } from "../../tunnel/tunnel-client.js";
import { renderResolvConf } from "../resolv-conf.js";
import { withOwnHostNames } from "../hosts-file.js";
import type { SidecarConfig } from "../../contract/sidecar-config.js";
import { emitStatus } from "../../contract/sidecar-status.js";
import { lastRoundSeconds } from "../../contract/volume-config.js";
import { hostsAddresses, resolveInCluster } from "./also-proxy.js";
import { startDnsServer } from "./dns-server.js";
import { startInbound, type InboundRoute } from "./inbound-client.js";
import { startLocalProxy } from "./local-proxy.js";
import { alsoProxyRules, redirectRules } from "./iptables-rules.js";
import { applyIptables, restoreRules } from "./iptables.js";
import { trimAfterTraffic } from "../../tunnel/memory-trim.js";
import { collectGarbage } from "./collect-garbage.js";
import { loadSidecarAddon } from "./original-dst.js";
import { forwardThroughTunnel, startFixedForward, startTcpRedirector } from "./tcp-redirector.js";
import { listenUnix } from "./unix-listener.js";
import { startUdpInbound } from "./udp-inbound-client.js";
import { startUdpRedirector } from "./udp-redirector.js";
import { ipRouteCommands, udpAlsoProxyRules, udpRules } from "./udp-rules.js";
import { startVolumeSync } from "./volume-sync-start.js";

export interface SidecarAgentOptions {
  config: SidecarConfig;
  /** Each connection here carries a new tunnel session (`tp-agent pipe`). */
  tunnelSocket: string;
  /** Each connection here carries a session to the CLI on the host (container-to-host ports). */
  hostSocket: string;
  resolvConfPath: string;
  /** The namespace's hosts file, which the pod's names for its own host go into (default /etc/hosts). */
  hostsPath?: string;
  /** `tp run`: the SOCKS5/HTTP proxy for host processes listens on this port (all interfaces). */
  hostProxyPort?: number;
  log: (message: string) => void;
}

/** The inbound TCP routes a config asks for: exposed ports on all interfaces, from-pod on loopback. */
export function inboundRoutes(config: SidecarConfig): InboundRoute[] {
  return [
    ...config.expose
      .filter((e) => e.protocol !== "udp")
      .map((e) => ({ port: e.remotePort, host: "0.0.0.0", localPort: e.localPort })),
    ...config.fromPod.map((p) => ({ port: p, host: "127.0.0.1", localPort: p })),
  ];
}

/** The exposed UDP ports of a config. */
export function udpInboundRoutes(config: SidecarConfig): InboundRoute[] {
  return config.expose
    .filter((e) => e.protocol === "udp")
    .map((e) => ({ port: e.remotePort, host: "0.0.0.0", localPort: e.localPort }));
}

export interface StartedSidecarAgent {
  /** Before the sidecar ends: local writes to the pod's volumes reach the pod. */
  flush(): Promise<void>;
}

/**
 * The sidecar: holds the network namespace the user container joins. Sets up the listeners, the
 * DNS server and iptables once; tunnel sessions come and go through the unix socket.
 */
export async function startSidecarAgent(options: SidecarAgentOptions): Promise<StartedSidecarAgent> {
  const { config, log } = options;
  const tunnel = new TunnelClient();
  const hostTunnel = new TunnelClient();
  const volumes = startVolumeSync(tunnel, log);
  const servers: Server[] = [];

  await startDnsServer(tunnel);
  const addon = loadSidecarAddon();
  servers.push(await startTcpRedirector(tunnel, config.redirectPort, addon.originalDst, log));
  trimAfterTraffic(
    () => tunnel.bytesMoved + hostTunnel.bytesMoved,
    () => {
      try {
        collectGarbage();
      } finally {
        addon.trimMemory();
      }
    },
  );
  for (const port of config.toPod) {
    servers.push(
      await startFixedForward(port, (s) => forwardThroughTunnel(tunnel, s, "127.0.0.1", port, log)),
    );
  }
  for (const { containerPort, hostPort } of config.containerToHost) {
    servers.push(
      await startFixedForward(containerPort, (s) =>
        forwardThroughTunnel(hostTunnel, s, "127.0.0.1", hostPort, log),
      ),
    );
  }
  const literal = config.alsoProxy.filter((a) => isIP(a.split("/")[0] ?? "") !== 0);
  const names = config.alsoProxy.filter((a) => !literal.includes(a));
  startUdpRedirector(tunnel, config.udpPort, config.udpIdleMs, log);
  await restoreRules([
    ...redirectRules({
      redirectPort: config.redirectPort,
      alsoProxy: literal,
      neverProxy: config.neverProxy,
    }),
    ...udpRules({ tproxyPort: config.udpPort, alsoProxy: literal, neverProxy: config.neverProxy }),
  ]);
  await applyIptables(ipRouteCommands(), "ip");
  await writeFile(options.resolvConfPath, renderResolvConf("127.0.0.1"));

  let dnsShown = "";
  // The pod's search list and ndots, known once the first session is up.
  let podDnsKnown: (pod: PodResolvConf) => void = () => undefined;
  let podDns = new Promise<PodResolvConf>((resolve) => (podDnsKnown = resolve));
  if (options.hostProxyPort !== undefined) {
    servers.push(
      await startLocalProxy({
        tunnel,
        port: options.hostProxyPort,
        host: "0.0.0.0",
        resolve: async (name) => {
          // The pod's hostAliases first, as its /etc/hosts comes before DNS (not in DNS itself:
          // a program that asks DNS directly does not see them in the pod either).
          const own = hostsAddresses(config.hosts, name);
          if (own.length) return own;
          const pod = await podDns;
          return resolveInCluster(tunnel, name, pod.search, pod.ndots);
        },
        log,
      }),
    );
  }
  const onSession = async (session: ClientHttp2Session, id: number): Promise<void> => {
    const answer = await tunnel.exchange("GET", Paths.resolv, undefined, { session, timeoutMs: 10_000 });
    const pod = parseJsonMessage(
      podResolvConf,
      answer.toString("utf8"),
      `the answer to GET ${Paths.resolv}`,
      "tunnel",
    );
    podDnsKnown(pod);
    podDns = Promise.resolve(pod);
    const text = renderResolvConf("127.0.0.1", pod);
    if (text !== dnsShown) {
      // Written in place: every container of the namespace shares this file.
      await writeFile(options.resolvConfPath, text);
      dnsShown = text;
      emitStatus({ event: "dns-configured", search: pod.search, ndots: pod.ndots });
    }
    if (pod.hostNames) await giveOwnHostNames(options.hostsPath ?? "/etc/hosts", pod.hostNames, log);
    startInbound(session, inboundRoutes(config), (event) => emitStatus(event), log);
    startUdpInbound(session, udpInboundRoutes(config), config.udpIdleMs, (event) => emitStatus(event), log);
    // --also-proxy names are in the rules before the tunnel is reported up: the user's container
    // starts after that, and its first connection must already take the cluster's way.
    if (names.length > 0) {
      const addresses: string[] = [];
      for (const name of names) {
        const found = await resolveInCluster(tunnel, name, pod.search);
        emitStatus({ event: "also-proxy", host: name, addresses: found });
        addresses.push(...found);
      }
      await applyIptables([
        ...alsoProxyRules(addresses, config.redirectPort),
        ...udpAlsoProxyRules(addresses),
      ]);
    }
    emitStatus({ event: "tunnel-up", session: id });
  };
  tunnel.on("session", (session, id) => {
    onSession(session, id).catch((err: unknown) => {
      log(`tunnel session ${id} did not come up: ${err instanceof Error ? err.message : String(err)}`);
      session.destroy();
    });
  });
  tunnel.on("closed", (id, reason) => emitStatus({ event: "tunnel-down", session: id, reason }));
  hostTunnel.on("session", (_s, id) => log(`host session ${id} connected`));
  hostTunnel.on("closed", (id, reason) => log(`host session ${id} closed: ${reason}`));

  servers.push(await listenUnix(options.tunnelSocket, (socket) => tunnel.attach(socket)));
  servers.push(await listenUnix(options.hostSocket, (socket) => hostTunnel.attach(socket)));
  emitStatus({ event: "ready", redirectPort: config.redirectPort, dns: "127.0.0.1:53" });
  return { flush: async () => await volumes?.flush(lastRoundSeconds * 1000) };
}

/**
 * The pod's names for its own host into the namespace's hosts file (written in place: the user
 * container shares it), as the kubelet gives them: `hostname -f` answers the pod's FQDN.
 */
async function giveOwnHostNames(path: string, names: string[], log: (m: string) => void): Promise<void> {
  try {
    const text = await readFile(path, "utf8");
    const next = withOwnHostNames(text, hostname(), names);
    if (next !== text) await writeFile(path, next);
  } catch (err) {
    log(`the pod's host names are not in ${path}: ${(err as Error).message}`);
  }
}
