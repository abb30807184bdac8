import { existsSync, rmSync, writeFileSync } from "node:fs";
import { UsageError } from "../errors.js";

/** Docker env-file text; multi-line values cannot be written there and are named instead. */
export function toEnvFile(env: Record<string, string>): { text: string; skipped: string[] } {
  const lines: string[] = [];
  const skipped: string[] = [];
  for (const [k, v] of Object.entries(env)) {
    if (/[\r\n]/.test(v)) skipped.push(k);
    else lines.push(`${k}=${v}`);
  }
  return { text: lines.join("\n") + "\n", skipped };
}

/**
 * --env-file and --env-json name files that tp creates (owner-only) and removes at the end: a file
 * that exists is the user's, never overwritten nor removed. Checked before anything starts.
 */
export function checkEnvOutputs(files: { envFile?: string; envJson?: string }): void {
  for (const [flag, file] of [
    ["--env-file", files.envFile],
    ["--env-json", files.envJson],
  ] as const) {
    if (file !== undefined && existsSync(file))
      throw new UsageError(`${flag} ${file}: the file exists`, {
        hint: "tp writes the pod's environment to a new file and removes it at the end: name one that does not exist",
      });
  }
}

/** Write the session's environment for the host (owner-only: it holds secrets). Returns a remover. */
export function writeEnvOutputs(
  env: Record<string, string>,
  files: { envFile?: string; envJson?: string },
  warn: (text: string) => void,
): () => void {
  const written: string[] = [];
  if (files.envFile) {
    const { text, skipped } = toEnvFile(env);
    writeFileSync(files.envFile, text, { mode: 0o600, flag: "wx" });
    written.push(files.envFile);
    if (skipped.length)
      warn(
        `--env-file ${files.envFile} leaves out multi-line values (see --env-json): ${skipped.join(", ")}`,
      );
  }
  if (files.envJson) {
    writeFileSync(files.envJson, JSON.stringify(env, null, 2) + "\n", { mode: 0o600, flag: "wx" });
    written.push(files.envJson);
  }
  return () => {
    for (const f of written) rmSync(f, { force: true });
  };
}
