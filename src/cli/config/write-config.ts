import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { parseDocument } from "yaml";
import type { ConfigKey, ConfigValues } from "./config-schema.js";
import { readConfigFile } from "./config-file.js";

/** Set one key in a config file, keeping its other keys and comments; checks the result. */
export function writeConfigValue<K extends ConfigKey>(file: string, key: K, value: ConfigValues[K]): void {
  readConfigFile(file); // a broken file is reported, not overwritten
  const doc = parseDocument(existsSync(file) ? readFileSync(file, "utf8") : "");
  doc.set(key, value);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, String(doc));
}
