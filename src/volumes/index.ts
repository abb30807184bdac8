/** The pod's volumes in the local container: what the CLI uses (the agent imports the parts). */
export { removeSessionFolder, defaultSessionFolder, isSessionFolder } from "./session-folder.js";
export { volumeSpecsOf, serviceAccountPath } from "./pod-volumes.js";
export { userMounts, volumeEnv, telepresenceRoot } from "./user-mounts.js";
export { defaultMountLimit, parseMountLimit } from "./mount-limit.js";
export type { VolumeSpec, VolumesConfig } from "../contract/volume-config.js";
export type { VolumeStatus } from "../contract/volume-status.js";
