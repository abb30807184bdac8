import { readFileSync } from "node:fs";
import { basename, dirname } from "node:path";
import { parse } from "yaml";
import { findProjectFile } from "./find-project-file.js";
import { sanitizeProjectName } from "./load-project.js";

/**
 * Which project a command means, without needing a valid file (tp down must work after the file
 * was broken): -p, else the file's name:, else its folder's name.
 */
export function projectIdentity(
  file: string | undefined,
  projectName?: string,
): { name: string; file: string; dir: string } {
  const found = findProjectFile(file);
  const dir = dirname(found);
  if (projectName) return { name: projectName, file: found, dir };
  let fromFile: unknown;
  try {
    fromFile = (parse(readFileSync(found, "utf8")) as { name?: unknown } | null)?.name;
  } catch {
    fromFile = undefined;
  }
  return {
    name: typeof fromFile === "string" ? fromFile : sanitizeProjectName(basename(dir)),
    file: found,
    dir,
  };
}
