import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { isMap } from "yaml";
import type { z } from "zod";
import { FileLocator, projectFileError, projectFileNames } from "../../project/index.js";
import { configSchema, type ConfigValues } from "./config-schema.js";

/** The name of the project-level config file, next to the project file. */
export const projectConfigName = "tp.config.yaml";

/** $XDG_CONFIG_HOME/tp/config.yaml (default ~/.config/tp/config.yaml). */
export function userConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env["XDG_CONFIG_HOME"] || join(homedir(), ".config"), "tp", "config.yaml");
}

/**
 * The project config: tp.config.yaml in the folder of the project file (`projectFile`, else the
 * nearest folder at or above `cwd` that has a project file or a tp.config.yaml).
 */
export function projectConfigPath(cwd: string, projectFile?: string): string | undefined {
  if (projectFile) return join(dirname(projectFile), projectConfigName);
  for (let dir = cwd; ; dir = dirname(dir)) {
    if ([projectConfigName, ...projectFileNames].some((n) => existsSync(join(dir, n))))
      return join(dir, projectConfigName);
    if (dirname(dir) === dir) return undefined;
  }
}

export interface ConfigFile {
  file: string;
  values: ConfigValues;
}

function issueMessage(issue: z.core.$ZodIssue): { path: (string | number)[]; key?: string; message: string } {
  const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0] ?? "";
    return {
      path,
      key,
      message: `unknown key ${key} (known: ${Object.keys(configSchema.shape).join(", ")})`,
    };
  }
  return { path, message: issue.message };
}

/** Read and check one config file; undefined when it does not exist. Errors name file and line. */
export function readConfigFile(file: string): ConfigFile | undefined {
  if (!existsSync(file)) return undefined;
  const locator = new FileLocator(readFileSync(file, "utf8"));
  const yamlError = locator.document.errors[0];
  if (yamlError) {
    const line = yamlError.linePos?.[0].line;
    throw projectFileError(
      { file, path: [] },
      `${line ? `line ${line}: ` : ""}${yamlError.message.split("\n")[0]}`,
    );
  }
  const contents = locator.document.contents;
  if (contents === null) return { file, values: {} };
  if (!isMap(contents)) throw projectFileError({ file, path: [] }, "must be a map of settings");
  const parsed = configSchema.safeParse(locator.document.toJS());
  if (!parsed.success) {
    const first = issueMessage(parsed.error.issues[0]!);
    throw projectFileError(
      { file, path: first.path, ...(first.key ? { key: first.key } : {}), locator },
      first.message,
    );
  }
  return { file, values: parsed.data };
}
