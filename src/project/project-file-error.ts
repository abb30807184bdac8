import { relative } from "node:path";
import { ExitCode, TpError } from "../errors.js";
import { formatPath, type FieldPath, type FileLocator } from "./file-locator.js";

/** Where in a project file something is wrong. */
export interface FilePlace {
  file: string;
  path: FieldPath;
  /** A key inside the map at `path` (an unknown field, for instance). */
  key?: string;
  locator?: FileLocator;
}

/** How a file is named in messages: relative to the current folder when it is below it. */
export function displayName(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith("..") ? rel : file;
}

/** One line: `tp.yaml:12: services.web.x-tp: takes only one of ...`. Nothing has started. */
export function projectFileError(place: FilePlace, message: string, hint?: string): TpError {
  const line = place.locator?.line(place.path, place.key);
  const where = displayName(place.file) + (line ? `:${line}` : "");
  const path = formatPath(place.path);
  return new TpError("config", `${where}: ${path ? `${path}: ` : ""}${message}`, {
    exitCode: ExitCode.Usage,
    ...(hint ? { hint } : {}),
  });
}
