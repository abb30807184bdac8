import type { V1Endpoints, V1Service } from "@kubernetes/client-node";
import type { ClusterIPs } from "./cluster-ips.js";
import { CoalescingRunner } from "./coalescing-runner.js";
import type { Informer } from "./informer.js";
import { ensureJumps, restore } from "./iptables.js";
import { readyTargets, renderRules, servicePorts, type Target } from "./service-rules.js";
import { forwardUdp } from "./udp-forwarder.js";

interface Listener {
  svcKey: string;
  close(): void;
}

/**
 * The node's kube-proxy. Each Service ClusterIP is an address of the node (pods reach it by ARP).
 * TCP ports are routed in the kernel, as kube-proxy's iptables mode does: each change of Services
 * or Endpoints loads the whole rule set (service-rules.ts) in one iptables-restore. UDP ports stay
 * a userspace listener per (ClusterIP, port): without a conntrack tool the node could not drop the
 * UDP flows of a removed endpoint, which a real kube-proxy does.
 */
export class KubeProxy {
  private readonly udpListeners = new Map<string, Listener>();
  private readonly rr = new Map<string, number>();
  private readonly runner = new CoalescingRunner(
    () => this.syncOnce(),
    (e) => this.log(`kube-proxy: ${(e as Error).message ?? e}`),
  );
  private scheduled = false;
  private hooked = false;
  private heldIPs = new Set<string>();

  constructor(
    private readonly services: Informer<V1Service>,
    private readonly endpoints: Informer<V1Endpoints>,
    private readonly clusterIPs: ClusterIPs,
    /** (ip:port/proto) the node serves itself, e.g. cluster DNS. */
    private readonly reserved: Set<string>,
    private readonly log: (msg: string) => void,
  ) {}

  start(): void {
    this.services.on(() => this.schedule());
    this.endpoints.on(() => this.schedule());
    this.runner.kick();
  }

  /** Many changes in a burst (a rollout) make one sync. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setTimeout(() => {
      this.scheduled = false;
      this.runner.kick();
    }, 10);
  }

  private pickUdp(key: string, ns: string | undefined, name: string, portName?: string): Target | undefined {
    const list = readyTargets(this.endpoints.get(ns, name), portName);
    if (!list.length) return undefined;
    const n = (this.rr.get(key) ?? 0) + 1;
    this.rr.set(key, n);
    return list[n % list.length];
  }

  private async syncOnce(): Promise<void> {
    const ports = servicePorts(this.services.list(), (ns, n) => this.endpoints.get(ns, n), this.reserved);
    const ips = new Set(ports.map((p) => p.ip));
    for (const svc of this.services.list()) {
      const ip = svc.spec?.clusterIP;
      if (ip && ip !== "None") ips.add(ip);
    }
    for (const ip of ips) await this.clusterIPs.add(ip);

    await restore(renderRules(ports));
    if (!this.hooked) {
      await ensureJumps();
      this.hooked = true;
    }

    const udp = new Map(ports.filter((p) => p.proto === "udp").map((p) => [`${p.ip}:${p.port}/udp`, p]));
    for (const [key, l] of this.udpListeners) {
      if (!udp.has(key)) {
        l.close();
        this.udpListeners.delete(key);
      }
    }
    for (const [key, p] of udp) {
      const svcKey = `${p.namespace}/${p.service}`;
      if (this.udpListeners.get(key)?.svcKey === svcKey) continue;
      this.udpListeners.get(key)?.close();
      this.udpListeners.delete(key);
      try {
        const fwd = await forwardUdp(p.ip, p.port, () =>
          this.pickUdp(key, p.namespace, p.service, p.portName),
        );
        this.udpListeners.set(key, { svcKey, close: fwd.close });
      } catch (e) {
        this.log(`kube-proxy ${key}: ${(e as Error).message}`);
      }
    }

    const keepIPs = new Set([...ips, ...[...this.reserved].map((k) => k.split(":")[0] ?? "")]);
    for (const ip of [...this.heldIPs]) if (!keepIPs.has(ip)) await this.clusterIPs.remove(ip);
    this.heldIPs = ips;
  }
}
