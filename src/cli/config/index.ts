/** tp's config files and how their values combine with flags and the environment. */
import { readConfigFile, projectConfigPath, userConfigPath } from "./config-file.js";
import type { ConfigValues } from "./config-schema.js";
import { resolveConfig, type ResolvedConfig } from "./resolve-config.js";

export { configEnv, configKeys, configSchema, type ConfigKey, type ConfigValues } from "./config-schema.js";
export { projectConfigName, projectConfigPath, readConfigFile, userConfigPath } from "./config-file.js";
export {
  describeSource,
  resolveConfig,
  type ResolvedConfig,
  type Setting,
  type Source,
} from "./resolve-config.js";

/** The settings in force: the flags given, the environment, and both config files. */
export function loadConfig(
  flags: ConfigValues = {},
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): ResolvedConfig {
  const projectFile = projectConfigPath(cwd);
  return resolveConfig({
    flags,
    env,
    user: readConfigFile(userConfigPath(env)),
    ...(projectFile ? { project: readConfigFile(projectFile) } : {}),
  });
}

/** The agent image: --agent-image, else $TP_AGENT_IMAGE, else the config files, else tp-agent:<version>. */
export function configuredAgentImage(explicit?: string): string {
  return loadConfig({ "agent-image": explicit })["agent-image"].value ?? "";
}
