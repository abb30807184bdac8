import type { Project } from "./model.js";

/** Labels on every Docker object of a project, so `tp down` and `tp ps` find them, also after a crash. */
export const ProjectLabels = {
  project: "dev.tp.project",
  service: "dev.tp.project-service",
  /** The project file, for messages. */
  file: "dev.tp.project-file",
} as const;

export function projectLabels(project: Project, service?: string): Record<string, string> {
  return {
    [ProjectLabels.project]: project.name,
    [ProjectLabels.file]: project.file,
    ...(service ? { [ProjectLabels.service]: service } : {}),
  };
}

export function projectFilter(name: string): { label: string[] } {
  return { label: [`${ProjectLabels.project}=${name}`] };
}
