/** What the CLI uses of the agent: the sidecar's configuration and its status lines. */
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
export { sidecarSockets } from "../tunnel/protocol.js";
