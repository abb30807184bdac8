import { defaultAgentImage } from "../../version.js";
import { configEnv, configKeys, type ConfigKey, type ConfigValues } from "./config-schema.js";
import type { ConfigFile } from "./config-file.js";

/** Where a setting came from, in order of precedence. */
export type Source =
  | { kind: "flag"; name: string }
  | { kind: "env"; name: string }
  | { kind: "project"; file: string }
  | { kind: "user"; file: string }
  | { kind: "default" };

export interface Setting<K extends ConfigKey> {
  key: K;
  value: ConfigValues[K];
  source: Source;
}

export type ResolvedConfig = { [K in ConfigKey]: Setting<K> };

export interface ConfigLayers {
  /** Values given on the command line (a list counts only when not empty). */
  flags?: ConfigValues;
  env?: NodeJS.ProcessEnv;
  project?: ConfigFile;
  user?: ConfigFile;
}

const listKeys = new Set<ConfigKey>(["never-proxy", "also-proxy"]);

/** A value from an environment variable: lists are separated by commas or spaces. */
function fromEnv<K extends ConfigKey>(key: K, text: string): ConfigValues[K] {
  if (listKeys.has(key)) return text.split(/[\s,]+/).filter(Boolean) as ConfigValues[K];
  if (key === "mount" && text === "false") return false as ConfigValues[K];
  return text as ConfigValues[K];
}

const defaults: ConfigValues = { "agent-image": defaultAgentImage };

function given(value: unknown): boolean {
  return value !== undefined && !(Array.isArray(value) && value.length === 0);
}

/** Each key's value from the first layer that sets it: flags, environment, project, user, default. */
export function resolveConfig(layers: ConfigLayers): ResolvedConfig {
  const env = layers.env ?? {};
  const pick = <K extends ConfigKey>(key: K): Setting<K> => {
    const flag = layers.flags?.[key];
    if (given(flag)) return { key, value: flag, source: { kind: "flag", name: `--${key}` } };
    const envText = env[configEnv[key]];
    if (envText) return { key, value: fromEnv(key, envText), source: { kind: "env", name: configEnv[key] } };
    for (const [kind, file] of [
      ["project", layers.project],
      ["user", layers.user],
    ] as const) {
      const value = file?.values[key];
      if (given(value)) return { key, value: value as ConfigValues[K], source: { kind, file: file!.file } };
    }
    return { key, value: defaults[key], source: { kind: "default" } };
  };
  return Object.fromEntries(configKeys.map((k) => [k, pick(k)])) as ResolvedConfig;
}

export function describeSource(source: Source): string {
  switch (source.kind) {
    case "flag":
      return `flag ${source.name}`;
    case "env":
      return `environment ${source.name}`;
    case "project":
      return `project config ${source.file}`;
    case "user":
      return `user config ${source.file}`;
    default:
      return "default";
  }
}
