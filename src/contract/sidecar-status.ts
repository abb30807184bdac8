import * as z from "zod/mini";
import { listenErrorEvent, listeningEvent } from "./inbound-protocol.js";
import { readJsonLine, type Read } from "./message.js";
import { volumeStatus } from "./volume-status.js";

/**
 * The sidecar's status lines: one JSON object per line on its stdout, which the CLI reads from
 * the container's logs. Everything else the sidecar says goes to stderr as plain text. A line
 * that is not one of these (another program's output, an event this CLI does not know) is not
 * a status line and is skipped, as before. No version field: the sidecar runs the CLI's own
 * agent image (see volume-protocol.ts), and an unknown event is skipped rather than refused.
 */
const sidecarStatus = z.discriminatedUnion("event", [
  /** iptables and the DNS server are in place; the user container may join the namespace. */
  z.object({ event: z.literal("ready"), redirectPort: z.number(), dns: z.string() }),
  /** A tunnel session works end to end (the proxy answered); `session` counts from 1. */
  z.object({ event: z.literal("tunnel-up"), session: z.number() }),
  /** The session ended; open connections broke, the next pipe resumes. */
  z.object({ event: z.literal("tunnel-down"), session: z.number(), reason: z.string() }),
  /** /etc/resolv.conf now carries the pod's search list and ndots. */
  z.object({ event: z.literal("dns-configured"), search: z.array(z.string()), ndots: z.number() }),
  /** The proxy listens on an inbound port (expose or from-pod). */
  listeningEvent,
  /** The proxy could not listen on an inbound port (EACCES below 1024 without the sysctl, ...). */
  listenErrorEvent,
  /** A host name of alsoProxy resolved in the cluster to these addresses. */
  z.object({ event: z.literal("also-proxy"), host: z.string(), addresses: z.array(z.string()) }),
  /** The sidecar cannot run (bad config, iptables refused): it exits non-zero after this line. */
  z.object({ event: z.literal("error"), message: z.string() }),
  /** Volume sync: the first copy, conflicts, copies, failures (volume-status.ts). */
  ...volumeStatus,
]);

export type SidecarStatus = z.output<typeof sidecarStatus>;
export type SidecarStatusEvent = SidecarStatus["event"];

/** Write one status line. */
export function emitStatus(status: SidecarStatus, out: NodeJS.WritableStream = process.stdout): void {
  out.write(JSON.stringify(status) + "\n");
}

/** A log line of the sidecar: its status, or why it is not a status line. */
export function readStatusLine(line: string): Read<SidecarStatus> {
  const text = line.trim();
  return text.startsWith("{") ? readJsonLine(sidecarStatus, text) : { refused: "not JSON" };
}

/** Parse a log line of the sidecar; undefined when it is not a status line. */
export function parseStatusLine(line: string): SidecarStatus | undefined {
  const read = readStatusLine(line);
  return "message" in read ? read.message : undefined;
}
