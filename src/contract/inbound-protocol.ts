import * as z from "zod/mini";

/**
 * Inbound connections. The proxy cannot open streams toward the sidecar (HTTP/2 push is not a
 * bidirectional stream), so the sidecar opens one long-lived control stream, `POST /inbound`,
 * whose first line asks for listeners ({@link InboundRequest}); the proxy answers with JSON lines
 * ({@link InboundEvent}). For each accepted connection it announces an id, and the sidecar opens
 * `POST /inbound/<id>` to carry that connection's bytes (a reset stream resets the connection).
 * The listeners live exactly as long as the control stream: no session, no listener, and a
 * client in the cluster is refused at once.
 *
 * No version field: both ends are the same tp-agent build (see volume-protocol.ts).
 */
const inboundListen = z.object({
  /** Port in the pod. */
  port: z.int().check(z.minimum(1), z.maximum(65535)),
  /** Address in the pod: "0.0.0.0" for exposed ports, "127.0.0.1" for from-pod ports. */
  host: z.string(),
});
export type InboundListen = z.output<typeof inboundListen>;

/** The first line of the control stream. */
export const inboundRequest = z.object({ listen: z._default(z.array(inboundListen), () => []) });
export type InboundRequest = z.output<typeof inboundRequest>;

/** The proxy's answers on the control stream, one JSON line each. */
/** The proxy listens on a port; the sidecar passes this on as a status line. */
export const listeningEvent = z.object({
  event: z.literal("listening"),
  port: z.number(),
  host: z.string(),
  /** Only for UDP ports (contract/udp-protocol.ts); TCP otherwise. */
  protocol: z.optional(z.literal("udp")),
});

/** The proxy could not listen on a port (EACCES below 1024 without the sysctl, ...); passed on too. */
export const listenErrorEvent = z.object({
  event: z.literal("listen-error"),
  port: z.number(),
  host: z.string(),
  code: z.string(),
  message: z.string(),
  protocol: z.optional(z.literal("udp")),
});

export const inboundEvent = z.discriminatedUnion("event", [
  listeningEvent,
  listenErrorEvent,
  z.object({ event: z.literal("accept"), id: z.string(), port: z.number(), host: z.string() }),
]);
export type InboundEvent = z.output<typeof inboundEvent>;

/** Seconds an accepted connection waits for the sidecar to claim it before it is reset. */
export const inboundClaimTimeoutMs = 10_000;
