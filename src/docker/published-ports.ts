import type Dockerode from "dockerode";
import { createSocket } from "node:dgram";
import { isIP, createServer } from "node:net";
import { TpError, UsageError } from "../errors.js";

/** One port binding of `docker run -p`. */
export interface PublishedPort {
  /** "" for every address of the host. */
  hostIp: string;
  /** A port, a range "N-M" (Docker picks one in it), or "" (Docker picks any). */
  hostPort: string;
  containerPort: number;
  protocol: "tcp" | "udp" | "sctp";
}

const syntax = "[IP:][HOSTPORT:]CONTAINERPORT[/PROTOCOL] (ports or ranges N-M)";

function fail(spec: string, why: string): never {
  throw new UsageError(`-p ${spec}: ${why}`, { hint: `-p takes ${syntax}, as docker run does` });
}

/** A port or a range "N-M" as [first, last]. */
function range(spec: string, text: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!m) fail(spec, `"${text}" is not a port or a range of ports`);
  const first = Number(m[1]);
  const last = m[2] === undefined ? first : Number(m[2]);
  if (first < 1 || last > 65535 || last < first) fail(spec, `"${text}" is not within 1-65535`);
  return [first, last];
}

/** Read one -p value as `docker run -p` does: IP:HOSTPORT:CONTAINERPORT/PROTO, IPv6 in brackets. */
export function parsePublish(spec: string): PublishedPort[] {
  const [address = "", proto = "tcp", ...more] = spec.split("/");
  if (more.length || !["tcp", "udp", "sctp"].includes(proto)) fail(spec, `unknown protocol "${proto}"`);
  let hostIp = "";
  let rest = address;
  const bracketed = /^\[([^\]]+)\]:(.*)$/.exec(address);
  if (bracketed) {
    hostIp = bracketed[1] as string;
    rest = bracketed[2] as string;
    if (isIP(hostIp) !== 6) fail(spec, `"${hostIp}" is not an IPv6 address`);
  }
  const parts = rest.split(":");
  if (bracketed ? parts.length !== 2 : parts.length > 3) fail(spec, `expected ${syntax}`);
  if (!bracketed && parts.length === 3) {
    hostIp = parts.shift() as string;
    if (hostIp && isIP(hostIp) !== 4) fail(spec, `"${hostIp}" is not an IP address (IPv6 goes in brackets)`);
  }
  const [hostText, containerText] = parts.length === 2 ? parts : ["", parts[0]];
  const [c1, c2] = range(spec, containerText ?? "");
  const protocol = proto as PublishedPort["protocol"];
  const containerPorts = Array.from({ length: c2 - c1 + 1 }, (_, i) => c1 + i);
  if (!hostText)
    return containerPorts.map((containerPort) => ({ hostIp, hostPort: "", containerPort, protocol }));
  const [h1, h2] = range(spec, hostText as string);
  if (c1 === c2) return [{ hostIp, hostPort: hostText as string, containerPort: c1, protocol }];
  if (h2 - h1 !== c2 - c1) fail(spec, "the host and container ranges differ in size");
  return containerPorts.map((containerPort, i) => ({
    hostIp,
    hostPort: String(h1 + i),
    containerPort,
    protocol,
  }));
}

/** Docker's ExposedPorts and PortBindings for a container's -p values. */
export function portBindings(publish: string[]): {
  exposed: Record<string, object>;
  bindings: Record<string, { HostIp: string; HostPort: string }[]>;
} {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const b of publish.flatMap(parsePublish)) {
    const key = `${b.containerPort}/${b.protocol}`;
    exposed[key] = {};
    (bindings[key] ??= []).push({ HostIp: b.hostIp, HostPort: b.hostPort });
  }
  return { exposed, bindings };
}

/** Whether this machine lets a new socket bind the port (nothing listens on it). */
function bindable(b: PublishedPort): Promise<boolean> {
  const host = b.hostIp || undefined;
  const port = Number(b.hostPort);
  return new Promise((resolve) => {
    if (b.protocol === "udp") {
      const socket = createSocket(b.hostIp && isIP(b.hostIp) === 6 ? "udp6" : "udp4");
      socket.once("error", () => resolve(false));
      socket.bind({ port, address: host, exclusive: true }, () => socket.close(() => resolve(true)));
      return;
    }
    const server = createServer();
    server.once("error", (err: NodeJS.ErrnoException) => resolve(err.code !== "EADDRINUSE"));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * Check, before anything is created, that each single host port asked for is free: nothing on
 * this machine listens on it and no container publishes it (Docker's own NAT rules need not show
 * as a listener). Ranges and ports Docker chooses are left to Docker.
 */
export async function checkHostPortsFree(publish: string[], docker?: Dockerode): Promise<void> {
  const wanted = publish
    .flatMap(parsePublish)
    .filter((b) => /^\d+$/.test(b.hostPort) && b.protocol !== "sctp");
  if (!wanted.length) return;
  const published = docker
    ? (await docker.listContainers().catch(() => [])).flatMap((c) =>
        (c.Ports ?? []).map((p) => ({ ...p, container: (c.Names?.[0] ?? c.Id).replace(/^\//, "") })),
      )
    : [];
  for (const b of wanted) {
    const where = `${b.hostIp ? (isIP(b.hostIp) === 6 ? `[${b.hostIp}]` : b.hostIp) : "0.0.0.0"}:${b.hostPort}`;
    const holder = published.find(
      (p) =>
        p.PublicPort === Number(b.hostPort) &&
        p.Type === b.protocol &&
        (!b.hostIp || !p.IP || p.IP === b.hostIp || p.IP === "0.0.0.0" || p.IP === "::"),
    );
    if (holder || !(await bindable(b)))
      throw new TpError(
        "usage",
        `host port ${where}/${b.protocol} is already in use${holder ? ` (published by container ${holder.container})` : ""}`,
        {
          hint: "choose another host port for -p, or stop what uses it",
        },
      );
  }
}
