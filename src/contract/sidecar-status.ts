import type { VolumeStatus } from "./volume-status.js";

/**
 * The sidecar's status lines: one JSON object per line on its stdout, which the CLI reads from
 * the container's logs. Everything else the sidecar says goes to stderr as plain text.
 */
export type SidecarStatus =
  /** iptables and the DNS server are in place; the user container may join the namespace. */
  | { event: "ready"; redirectPort: number; dns: string }
  /** A tunnel session works end to end (the proxy answered); `session` counts from 1. */
  | { event: "tunnel-up"; session: number }
  /** The session ended; open connections broke, the next pipe resumes. */
  | { event: "tunnel-down"; session: number; reason: string }
  /** /etc/resolv.conf now carries the pod's search list and ndots. */
  | { event: "dns-configured"; search: string[]; ndots: number }
  /** The proxy listens on an inbound port (expose or from-pod). */
  | { event: "listening"; port: number; host: string }
  /** The proxy could not listen on an inbound port (EACCES below 1024 without the sysctl, ...). */
  | { event: "listen-error"; port: number; host: string; code: string; message: string }
  /** A host name of alsoProxy resolved in the cluster to these addresses. */
  | { event: "also-proxy"; host: string; addresses: string[] }
  /** The sidecar cannot run (bad config, iptables refused): it exits non-zero after this line. */
  | { event: "error"; message: string }
  /** Volume sync: the first copy, conflicts, copies, failures (volumes/volume-status.ts). */
  | VolumeStatus;

export type SidecarStatusEvent = SidecarStatus["event"];

/** Write one status line. */
export function emitStatus(status: SidecarStatus, out: NodeJS.WritableStream = process.stdout): void {
  out.write(JSON.stringify(status) + "\n");
}

/** Parse a log line of the sidecar; undefined when it is not a status line. */
export function parseStatusLine(line: string): SidecarStatus | undefined {
  const text = line.trim();
  if (!text.startsWith("{")) return undefined;
  try {
    const value = JSON.parse(text) as { event?: unknown };
    return typeof value.event === "string" ? (value as SidecarStatus) : undefined;
  } catch {
    return undefined;
  }
}
