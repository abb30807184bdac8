import type { V1Service } from "@kubernetes/client-node";

function envName(s: string): string {
  return s.toUpperCase().replaceAll("-", "_");
}

function hasClusterIP(svc: V1Service): boolean {
  const ip = svc.spec?.clusterIP;
  return !!ip && ip !== "None";
}

/** The Docker-links style variables a kubelet sets for each service (pkg/kubelet/envvars). */
export function serviceEnvVars(services: V1Service[]): [string, string][] {
  const out: [string, string][] = [];
  for (const svc of services) {
    const ports = svc.spec?.ports ?? [];
    const ip = svc.spec?.clusterIP ?? "";
    if (!hasClusterIP(svc) || ports.length === 0) continue;
    const prefix = envName(svc.metadata?.name ?? "");
    out.push([`${prefix}_SERVICE_HOST`, ip]);
    out.push([`${prefix}_SERVICE_PORT`, String(ports[0]?.port)]);
    for (const p of ports)
      if (p.name) out.push([`${prefix}_SERVICE_PORT_${envName(p.name)}`, String(p.port)]);
    ports.forEach((p, i) => {
      const proto = p.protocol ?? "TCP";
      const hostPort = ip.includes(":") ? `[${ip}]:${p.port}` : `${ip}:${p.port}`;
      const url = `${proto.toLowerCase()}://${hostPort}`;
      if (i === 0) out.push([`${prefix}_PORT`, url]);
      const pp = `${prefix}_PORT_${p.port}_${proto.toUpperCase()}`;
      out.push(
        [pp, url],
        [`${pp}_PROTO`, proto.toLowerCase()],
        [`${pp}_PORT`, String(p.port)],
        [`${pp}_ADDR`, ip],
      );
    });
  }
  return out;
}

/**
 * The services whose variables a pod gets: those of its namespace when service links are enabled
 * (the default), and always the `kubernetes` service of `default` (pkg/kubelet getServiceEnvVarMap).
 */
export function servicesForPod(
  all: V1Service[],
  namespace: string,
  enableServiceLinks: boolean,
): V1Service[] {
  const byName = new Map<string, V1Service>();
  for (const svc of all) {
    const ns = svc.metadata?.namespace;
    const name = svc.metadata?.name ?? "";
    if (ns === "default" && name === "kubernetes") byName.set(name, svc);
  }
  if (enableServiceLinks) {
    for (const svc of all)
      if (svc.metadata?.namespace === namespace) byName.set(svc.metadata?.name ?? "", svc);
  }
  return [...byName.values()].sort((a, b) => (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? ""));
}
