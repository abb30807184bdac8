/**
 * The tunnel between the local sidecar and the agent in the proxy pod: HTTP/2 over a byte stream
 * that the CLI carries (port-forward <-> `docker exec -i <sidecar> tp-agent pipe`).
 */
export { openExecPipe, openSidecarPipe } from "./open-sidecar-pipe.js";
export { ExecDuplex } from "./exec-duplex.js";
export { pipeDuplexes } from "./pipe-duplexes.js";
export { serveHostForward } from "./host-forward.js";
export { TunnelClient, TunnelRequestError } from "./tunnel-client.js";
export { TunnelRouter, type StreamHandler } from "./tunnel-router.js";
export {
  Paths,
  errorHeader,
  keepalive,
  sidecarSockets,
  type ConnectErrorCode,
  type PodResolvConf,
} from "./protocol.js";
export type { InboundEvent, InboundListen, InboundRequest } from "./inbound-protocol.js";

/** Port of the tunnel on 127.0.0.1 in the proxy pod (the port-forward's target). */
export const defaultTunnelPort = 7770;
/** The file the proxy writes once it listens (the readiness probe waits for it). */
export const proxyReadyFile = "/tmp/tp-agent-ready";
