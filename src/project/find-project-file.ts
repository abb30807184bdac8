import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { UsageError } from "../errors.js";

/** Names looked for in each folder, in order; compose files count only when they use x-tp. */
export const projectFileNames = ["tp.yaml", "tp.yml", "compose.yaml", "compose.yml"];

function usesTp(file: string): boolean {
  return /^x-tp\s*:|^\s+x-tp\s*:/m.test(readFileSync(file, "utf8"));
}

/** -f FILE, else the first project file in the current folder or the nearest one above it. */
export function findProjectFile(explicit: string | undefined, cwd = process.cwd()): string {
  if (explicit !== undefined) {
    const file = resolve(cwd, explicit);
    if (!existsSync(file)) throw new UsageError(`project file ${explicit} does not exist`);
    return file;
  }
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    for (const name of projectFileNames) {
      const file = join(dir, name);
      if (existsSync(file) && (name.startsWith("tp.") || usesTp(file))) return file;
    }
    if (dirname(dir) === dir) break;
  }
  throw new UsageError(
    `no project file here or above: looked for ${projectFileNames.join(", ")} (compose files need x-tp)`,
    {
      hint: "pass -f FILE, or write one with `tp init DEPLOYMENT`",
    },
  );
}
