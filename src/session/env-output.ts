import { chmodSync, rmSync, writeFileSync } from "node:fs";

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

/** Write the session's environment for the host (owner-only: it holds secrets). Returns a remover. */
export function writeEnvOutputs(
  env: Record<string, string>,
  files: { envFile?: string; envJson?: string },
  warn: (text: string) => void,
): () => void {
  const written: string[] = [];
  if (files.envFile) {
    const { text, skipped } = toEnvFile(env);
    writeFileSync(files.envFile, text, { mode: 0o600 });
    chmodSync(files.envFile, 0o600);
    written.push(files.envFile);
    if (skipped.length)
      warn(
        `--env-file ${files.envFile} leaves out multi-line values (see --env-json): ${skipped.join(", ")}`,
      );
  }
  if (files.envJson) {
    writeFileSync(files.envJson, JSON.stringify(env, null, 2) + "\n", { mode: 0o600 });
    chmodSync(files.envJson, 0o600);
    written.push(files.envJson);
  }
  return () => {
    for (const f of written) rmSync(f, { force: true });
  };
}
