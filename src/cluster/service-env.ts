import type { V1Service } from "@kubernetes/client-node";

/** A Service's name as a variable name (pkg/kubelet/envvars makeEnvVariableName). */
function variableName(name: string): string {
  const upper = name.replace(/[.-]/g, "_").toUpperCase();
  return /^[0-9]/.test(upper) ? `_${upper}` : upper;
}

function hasClusterIP(service: V1Service): boolean {
  const ip = service.spec?.clusterIP;
  return ip !== undefined && ip !== "" && ip !== "None";
}

/** host:port, with brackets around an IPv6 address (Go's net.JoinHostPort). */
function joinHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * The variables the kubelet sets for Services (pkg/kubelet/envvars FromServices):
 * `NAME_SERVICE_HOST`, `NAME_SERVICE_PORT[_PORTNAME]` and the Docker-link style `NAME_PORT…`.
 * Services without a cluster IP give none.
 */
export function serviceVariables(services: V1Service[]): Map<string, string> {
  const vars = new Map<string, string>();
  for (const service of services.filter(hasClusterIP)) {
    const ip = service.spec?.clusterIP as string;
    const ports = service.spec?.ports ?? [];
    const prefix = variableName(service.metadata?.name ?? "");
    vars.set(`${prefix}_SERVICE_HOST`, ip);
    if (ports[0]) vars.set(`${prefix}_SERVICE_PORT`, String(ports[0].port));
    for (const p of ports)
      if (p.name) vars.set(`${prefix}_SERVICE_PORT_${variableName(p.name)}`, String(p.port));
    ports.forEach((p, i) => {
      const protocol = p.protocol ?? "TCP";
      const url = `${protocol.toLowerCase()}://${joinHostPort(ip, p.port)}`;
      if (i === 0) vars.set(`${prefix}_PORT`, url);
      const link = `${prefix}_PORT_${p.port}_${protocol.toUpperCase()}`;
      vars.set(link, url);
      vars.set(`${link}_PROTO`, protocol.toLowerCase());
      vars.set(`${link}_PORT`, String(p.port));
      vars.set(`${link}_ADDR`, ip);
    });
  }
  return vars;
}

/**
 * The Services whose variables a pod of `namespace` gets (pkg/kubelet getServiceEnvVarMap): the
 * `kubernetes` Service of `default` always, those of its own namespace when service links are on.
 */
export function servicesForPod(
  namespaceServices: V1Service[],
  master: V1Service | undefined,
  namespace: string,
  enableServiceLinks: boolean,
): V1Service[] {
  const byName = new Map<string, V1Service>();
  if (master) byName.set("kubernetes", master);
  if (enableServiceLinks)
    for (const s of namespaceServices)
      if (s.metadata?.namespace === undefined || s.metadata.namespace === namespace)
        byName.set(s.metadata?.name ?? "", s);
  return [...byName.values()];
}
