import { isJsonObject } from "../../shared/kube-object.js";
import type { ObjectStore } from "../store/object-store.js";

/** The Service CIDR of the contract: 10.244.128.0/17. */
export const serviceCidr = { base: (10 << 24) | (244 << 16) | (128 << 8), size: 1 << 15 };

export function ipToInt(ip: string): number {
  return ip.split(".").reduce((a, p) => ((a << 8) | Number(p)) >>> 0, 0);
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

export function inServiceCidr(ip: string): boolean {
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip)) return false;
  const n = ipToInt(ip);
  return n > serviceCidr.base && n < serviceCidr.base + serviceCidr.size - 1;
}

function usedIps(store: ObjectStore): Set<string> {
  const used = new Set<string>();
  for (const svc of store.list("/services")) {
    const spec = isJsonObject(svc.spec) ? svc.spec : {};
    if (typeof spec.clusterIP === "string") used.add(spec.clusterIP);
  }
  return used;
}

export function isIpAllocated(store: ObjectStore, ip: string): boolean {
  return usedIps(store).has(ip);
}

/** A free ClusterIP, picked at random from the upper part of the range as the real allocator does. */
export function allocateClusterIp(store: ObjectStore): string {
  const used = usedIps(store);
  for (let attempt = 0; attempt < 10_000; attempt++) {
    const offset = 256 + Math.floor(Math.random() * (serviceCidr.size - 512));
    const ip = intToIp(serviceCidr.base + offset);
    if (!used.has(ip)) return ip;
  }
  throw new Error("range is full");
}

export function allocateNodePort(store: ObjectStore): number {
  const used = new Set<number>();
  for (const svc of store.list("/services")) {
    const spec = isJsonObject(svc.spec) ? svc.spec : {};
    for (const p of Array.isArray(spec.ports) ? spec.ports : [])
      if (isJsonObject(p) && typeof p.nodePort === "number") used.add(p.nodePort);
  }
  for (let attempt = 0; attempt < 10_000; attempt++) {
    const port = 30000 + Math.floor(Math.random() * 2768);
    if (!used.has(port)) return port;
  }
  throw new Error("node port range is full");
}
