/** Every message that crosses a process boundary; the CLI and the agent both import from here. */
export {
  defaultRedirectPort,
  parseSidecarConfig,
  sidecarConfigEnv,
  sidecarConfigToEnv,
  validateSidecarConfig,
  type ExposeMapping,
  type HostPortMapping,
  type SidecarConfig,
} from "./sidecar-config.js";
export { parseStatusLine, type SidecarStatus, type SidecarStatusEvent } from "./sidecar-status.js";
export { sidecarSockets } from "./tunnel-protocol.js";
