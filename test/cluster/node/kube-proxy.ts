import { forwardUdp } from "./udp-forwarder.js";
import { connect, createServer, type Server } from "node:net";
import type { V1Endpoints, V1Service } from "@kubernetes/client-node";
import type { ClusterIPs } from "./cluster-ips.js";
import type { Informer } from "./informer.js";

interface Target {
  ip: string;
  port: number;
}

interface Listener {
  key: string;
  close(): void;
}

/**
 * A userspace kube-proxy: each Service ClusterIP is an address of the node and each (ClusterIP,
 * port) a listener that forwards to the ready endpoints of the service port, round-robin.
 */
export class KubeProxy {
  private readonly listeners = new Map<string, Listener>();
  private readonly ips = new Map<string, string>();
  private readonly rr = new Map<string, number>();
  private scheduled = false;

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
    void this.sync();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setTimeout(() => {
      this.scheduled = false;
      void this.sync();
    }, 10);
  }

  /** Ready endpoints of a service port (by port name, as kube-proxy matches them). */
  targets(svc: V1Service, portName: string | undefined): Target[] {
    const ep = this.endpoints.get(svc.metadata?.namespace, svc.metadata?.name ?? "");
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

  private pick(key: string, svc: V1Service, portName: string | undefined): Target | undefined {
    const list = this.targets(svc, portName);
    if (!list.length) return undefined;
    const n = (this.rr.get(key) ?? 0) + 1;
    this.rr.set(key, n);
    return list[n % list.length];
  }

  private syncing: Promise<void> | undefined;
  private again = false;

  /** Bring the listeners in line with the Services; one pass at a time (a pass awaits). */
  async sync(): Promise<void> {
    if (this.syncing) {
      this.again = true;
      return this.syncing;
    }
    this.syncing = (async () => {
      do {
        this.again = false;
        await this.syncOnce();
      } while (this.again);
    })().finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  private async syncOnce(): Promise<void> {
    const want = new Map<
      string,
      { svc: V1Service; ip: string; port: number; name?: string; proto: string }
    >();
    const ips = new Set<string>();
    for (const svc of this.services.list()) {
      const ip = svc.spec?.clusterIP;
      if (!ip || ip === "None") continue;
      ips.add(ip);
      for (const p of svc.spec?.ports ?? []) {
        const proto = (p.protocol ?? "TCP").toLowerCase();
        const key = `${ip}:${p.port}/${proto}`;
        if (this.reserved.has(key)) continue;
        want.set(key, { svc, ip, port: p.port, name: p.name, proto });
      }
    }
    for (const ip of ips) await this.clusterIPs.add(ip);
    for (const [key, l] of this.listeners) {
      if (!want.has(key)) {
        l.close();
        this.listeners.delete(key);
      }
    }
    for (const [key, w] of want) {
      const svcKey = `${w.svc.metadata?.namespace}/${w.svc.metadata?.name}`;
      if (this.listeners.has(key) && this.ips.get(key) === svcKey) continue;
      this.listeners.get(key)?.close();
      this.ips.set(key, svcKey);
      const current = () => this.services.get(w.svc.metadata?.namespace, w.svc.metadata?.name ?? "") ?? w.svc;
      const pick = () => this.pick(key, current(), w.name);
      try {
        this.listeners.set(
          key,
          w.proto === "udp"
            ? await this.udp(key, w.ip, w.port, pick)
            : await this.tcp(key, w.ip, w.port, pick),
        );
      } catch (e) {
        this.log(`kube-proxy ${key}: ${(e as Error).message}`);
      }
    }
    const keepIPs = new Set([...ips, ...[...this.reserved].map((k) => k.split(":")[0] ?? "")]);
    for (const ip of [...this.heldIPs]) if (!keepIPs.has(ip)) await this.clusterIPs.remove(ip);
    this.heldIPs = ips;
  }

  private heldIPs = new Set<string>();

  private tcp(key: string, ip: string, port: number, pick: () => Target | undefined): Promise<Listener> {
    // Nagle's algorithm off both ways: a kernel proxy (iptables, IPVS) would not delay small writes.
    const server: Server = createServer({ allowHalfOpen: true, noDelay: true }, (c) => {
      const t = pick();
      if (!t) {
        c.destroy();
        return;
      }
      const up = connect({ host: t.ip, port: t.port, allowHalfOpen: true, noDelay: true });
      c.pipe(up).pipe(c);
      up.on("error", () => c.destroy());
      c.on("error", () => up.destroy());
    });
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, ip, () => resolve({ key, close: () => server.close() }));
    });
  }

  private async udp(
    key: string,
    ip: string,
    port: number,
    pick: () => Target | undefined,
  ): Promise<Listener> {
    return { key, ...(await forwardUdp(ip, port, pick)) };
  }
}
