import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { Script } from "node:vm";
import { compileCommonJs, runCommonJs } from "../run-commonjs.js";
import { commandKey } from "./command-key.js";

/** The user's cache folder for tp (owner-only: what is in it is run as code). */
function cacheFolder(): string | undefined {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  const folder = join(base, "tp");
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    const st = statSync(folder);
    const uid = process.getuid?.();
    if (uid !== undefined && (st.uid !== uid || (st.mode & 0o022) !== 0)) return undefined;
    return folder;
  } catch {
    return undefined;
  }
}

function readOr<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

/**
 * Run a CommonJS bundle with V8's code cache, kept in the user's cache folder. Most of a tp
 * command's start is V8 compiling the bundle: with the cache, it reads what earlier runs compiled
 * instead (Node 22 does this itself with module.enableCompileCache; Node 20 does not). The cache
 * is written at the end of a run that had none, whose cache V8 refused (another bundle, Node
 * version or V8 flags), or whose command the cache was not made with: it then holds what that
 * command compiled too.
 */
export function runWithCodeCache(file: string): void {
  const folder = cacheFolder();
  if (!folder) return runCommonJs(compileCommonJs(file), file);
  const st = statSync(file);
  const key = createHash("sha256")
    .update([file, st.size, st.mtimeMs, process.version, process.arch].join("\0"))
    .digest("hex")
    .slice(0, 16);
  const base = join(folder, `cli-${key}`);
  const cached = readOr(() => readFileSync(`${base}.v8`), undefined);
  const commands = readOr(() => JSON.parse(readFileSync(`${base}.json`, "utf8")) as string[], []);
  const script = compileCommonJs(file, cached);
  const valid = cached !== undefined && !script.cachedDataRejected;
  process.once("exit", () => {
    const command = String((globalThis as Record<symbol, unknown>)[commandKey] ?? "");
    if (valid && commands.includes(command)) return;
    saveCache(folder, base, script, valid ? [...commands, command] : [command]);
  });
  runCommonJs(script, file);
}

/** Write the cache whole (temporary files renamed into place); drop those of other builds. */
function saveCache(folder: string, base: string, script: Script, commands: string[]): void {
  try {
    const suffix = `${process.pid}.tmp`;
    writeFileSync(`${base}.v8.${suffix}`, script.createCachedData(), { mode: 0o600 });
    writeFileSync(`${base}.json.${suffix}`, JSON.stringify(commands), { mode: 0o600 });
    renameSync(`${base}.v8.${suffix}`, `${base}.v8`);
    renameSync(`${base}.json.${suffix}`, `${base}.json`);
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (name.startsWith("cli-") && !path.startsWith(`${base}.`)) rmSync(path, { force: true });
    }
  } catch {
    // A cache that cannot be written only makes the next start slower.
  }
}
