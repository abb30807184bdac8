/**
 * Inbound connections. The proxy cannot open streams toward the sidecar (HTTP/2 push is not a
 * bidirectional stream), so the sidecar opens one long-lived control stream, `POST /inbound`,
 * whose first line asks for listeners ({@link InboundRequest}); the proxy answers with JSON lines
 * ({@link InboundEvent}). For each accepted connection it announces an id, and the sidecar opens
 * `POST /inbound/<id>` to carry that connection's bytes (a reset stream resets the connection).
 * The listeners live exactly as long as the control stream: no session, no listener, and a
 * client in the cluster is refused at once.
 */
export interface InboundListen {
  /** Port in the pod. */
  port: number;
  /** Address in the pod: "0.0.0.0" for exposed ports, "127.0.0.1" for from-pod ports. */
  host: string;
}

export interface InboundRequest {
  listen: InboundListen[];
}

export type InboundEvent =
  | { event: "listening"; port: number; host: string }
  | { event: "listen-error"; port: number; host: string; code: string; message: string }
  | { event: "accept"; id: string; port: number; host: string };

/** Seconds an accepted connection waits for the sidecar to claim it before it is reset. */
export const inboundClaimTimeoutMs = 10_000;
