/**
 * The tunnel between the local sidecar and the agent in the proxy pod: HTTP/2 over a byte stream
 * that the CLI carries (port-forward <-> `docker exec -i <sidecar> tp-agent pipe`).
 */
export { pipeDuplexes } from "./pipe-duplexes.js";
export { loadMemoryTrim, trimAfterTraffic } from "./memory-trim.js";
export { serveHostForward } from "./host-forward.js";
export { TunnelClient, TunnelRequestError } from "./tunnel-client.js";
export { TunnelRouter, type StreamHandler } from "./tunnel-router.js";
export {
  Paths,
  tunnelPort,
  errorHeader,
  keepalive,
  sidecarSockets,
  type ConnectErrorCode,
  type PodResolvConf,
} from "../contract/tunnel-protocol.js";
export type { InboundEvent, InboundListen, InboundRequest } from "../contract/inbound-protocol.js";
