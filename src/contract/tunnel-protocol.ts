import type { ClientSessionOptions, SecureServerOptions, ServerOptions, Settings } from "node:http2";

/**
 * The tunnel between the sidecar (HTTP/2 client) and the proxy agent (HTTP/2 server), spoken as
 * cleartext HTTP/2 (h2c, prior knowledge) over whatever byte stream carries it: the CLI's
 * port-forward piped into `docker exec tp-agent pipe`. Every kind of traffic is one kind of stream:
 *
 * - `CONNECT host:port` (RFC 9113 §8.5): a TCP connection dialled in the cluster. 200 when open,
 *   otherwise 502 with the failure in the `tp-error` header (see {@link ConnectErrorCode}).
 * - `POST /dns` (body and answer: one DNS wire message, as RFC 8484's application/dns-message).
 * - `GET /resolv`: the pod's resolver settings ({@link PodResolvConf}).
 * - `GET /env`: the agent's version and its container's environment, as `{version, env}`.
 * - `POST /inbound`: the control stream for connections accepted in the pod (see inbound-protocol).
 * - `POST /inbound/<id>`: the bytes of one accepted connection.
 * Further routes (volume sync) register on the proxy's router.
 */
export const Paths = {
  dns: "/dns",
  resolv: "/resolv",
  env: "/env",
  inbound: "/inbound",
} as const;

/** Where the sidecar takes tunnel transports and host-forward transports (`tp-agent pipe --socket`). */
export const sidecarSockets = { tunnel: "/run/tp/tunnel.sock", host: "/run/tp/host.sock" } as const;

/** The header that carries why a CONNECT failed. */
export const errorHeader = "tp-error";

/** Why a CONNECT stream failed, as the proxy reports it. */
export type ConnectErrorCode =
  | "refused" // ECONNREFUSED: nothing listens there
  | "unreachable" // EHOSTUNREACH / ENETUNREACH
  | "timeout" // no answer to the SYN in time
  | "not-found" // the host name does not resolve in the cluster
  | "reset" // ECONNRESET while opening
  | "bad-request" // malformed authority
  | "error"; // anything else

export type { AgentInfo, PodResolvConf } from "./tunnel-answers.js";

/** Keepalive: a PING every interval; a session with no answer for deadAfter is destroyed. */
export const keepalive = { intervalMs: 5_000, deadAfterMs: 15_000 } as const;

/**
 * Flow-control windows. A stream may have 2 MiB in flight: one bulk stream is not held to a
 * window's worth per round trip of a loaded path (512 KiB held one download to about 0.7 of the
 * raw port-forward's rate). What all streams have in flight is their windows' sum: Node gives the
 * connection's window back as data arrives, whether or not a stream has read it, so the 4 MiB
 * connection window bounds one burst, not the total. A stream whose reader is stuck holds up to its
 * window at the receiving end, and data queued ahead of a keepalive PING may take long on a slow
 * link: the keepalive counts any byte read as a sign of life (keepalive.ts).
 */
const settings: Settings = {
  initialWindowSize: 2 * 1024 * 1024,
  maxConcurrentStreams: 100_000,
  enablePush: false,
};
export const connectionWindowSize = 4 * 1024 * 1024;

export const clientSessionOptions: ClientSessionOptions = {
  settings,
  maxSessionMemory: 512,
  peerMaxConcurrentStreams: 100_000,
};

export const serverOptions: ServerOptions & SecureServerOptions = {
  settings,
  maxSessionMemory: 512,
};

/** The port the agent's tunnel listens on, on 127.0.0.1 inside the proxy pod (the port-forward's target). */
export const tunnelPort = 7770;

/** The port the agent answers the proxy pod's readiness probe on (HTTP, every address of the pod). */
export const readinessPort = 7771;
