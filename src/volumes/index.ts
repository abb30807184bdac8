/** The pod's volumes in the local container: what the CLI uses (the agent imports the parts). */
export {
  defaultMountLimit,
  SessionVolumes,
  type VolumeRequest,
  type VolumeReporter,
} from "./session-volumes.js";
export { removeSessionFolder, volumesFolderLabel, defaultSessionFolder } from "./session-folder.js";
export { rootRemover } from "./root-remover.js";
export { volumeSpecsOf, serviceAccountPath } from "./pod-volumes.js";
export { userMounts, volumeEnv, telepresenceRoot } from "./user-mounts.js";
export { parseMountLimit } from "./mount-limit.js";
export type { VolumeSpec, VolumesConfig } from "./volume-config.js";
export type { VolumeStatus } from "./volume-status.js";
