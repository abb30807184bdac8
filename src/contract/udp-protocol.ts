import * as z from "zod/mini";
import { listenErrorEvent, listeningEvent } from "./inbound-protocol.js";

/**
 * UDP over the tunnel. A flow is one (source address, destination address) pair; it rides one
 * HTTP/2 stream, each datagram a frame: a 2-byte big-endian length, then the payload (a UDP
 * payload is at most 65,507 bytes on IPv4, so the length always fits).
 *
 * - `POST /udp` with `tp-target: host:port`: a flow the local side sends into the cluster. The
 *   proxy answers 200 once it has a socket connected to the target (an error status otherwise);
 *   then datagrams flow both ways until either side closes the stream.
 * - `POST /inbound-udp`: the control stream for UDP ports of the pod (`--expose PORT/udp`): the
 *   first line asks for listeners, as {@link UdpInboundRequest}; the proxy answers JSON lines
 *   ({@link UdpInboundEvent}), one `flow` per new sender, and the sidecar opens
 *   `POST /inbound-udp/<id>` to carry that flow's datagrams. The sender's replies go back from the
 *   pod's port to the sender's address.
 */
export const UdpPaths = { flow: "/udp", inbound: "/inbound-udp" } as const;

/** The header of `POST /udp` that names where the flow goes, as `host:port`. */
export const udpTargetHeader = "tp-target";

/** How long a flow lives without a datagram either way (conntrack's own UDP timeout is 30 s). */
export const defaultUdpIdleMs = 30_000;

/** The largest UDP payload over IPv4. */
export const maxDatagram = 65_507;

/** The first line of `POST /inbound-udp`. No version: both ends are the same agent build. */
export const udpInboundRequest = z.object({
  listen: z.array(z.object({ port: z.number(), host: z.string() })),
  /** Flows without a datagram for this long are closed (default {@link defaultUdpIdleMs}). */
  idleMs: z.optional(z.number()),
});
export type UdpInboundRequest = z.output<typeof udpInboundRequest>;

/** The proxy's answers on the UDP control stream, one JSON line each. */
export const udpInboundEvent = z.discriminatedUnion("event", [
  listeningEvent,
  listenErrorEvent,
  z.object({ event: z.literal("flow"), id: z.string(), port: z.number(), host: z.string() }),
]);
export type UdpInboundEvent = z.output<typeof udpInboundEvent>;
