/** Project files: several services from one Compose-style file (`tp up`, `tp down`, `tp ps`, `tp init`). */
export { findProjectFile, projectFileNames } from "./find-project-file.js";
export { loadProject, sanitizeProjectName, type LoadOptions } from "./load-project.js";
export type { Project, ProjectService, TpServiceSpec } from "./model.js";
export { describePlan, planUp, type ProjectPlan, type Selection } from "./plan.js";
export { projectUp, type UpOptions } from "./project-up.js";
export { projectDown } from "./project-down.js";
export { formatStatus, projectStatus, type ProjectStatus, type ServiceStatus } from "./project-ps.js";
export { projectInit } from "./project-init.js";
export { starterFile } from "./starter-file.js";
export { FileLocator } from "./file-locator.js";
export { projectFileError } from "./project-file-error.js";
