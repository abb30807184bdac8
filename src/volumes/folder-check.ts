import { mkdir, readdir, rm, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { TpError } from "../errors.js";

/**
 * Check, before anything is created in the cluster, that `--mount PATH` can become the session
 * folder: an empty folder, or a new one that can be made. Tried for real (a probe folder inside,
 * or the folder itself, removed again), since permission bits do not tell for root or read-only
 * file systems.
 */
export async function checkMountFolder(chosen: string): Promise<void> {
  const folder = resolve(chosen);
  const existing = await stat(folder).catch(() => undefined);
  if (existing && (!existing.isDirectory() || (await readdir(folder)).length > 0))
    throw new TpError("usage", `--mount ${folder}: the folder must be new or empty`, {
      hint: "tp removes it when the session ends",
    });
  // The first folder that does not exist yet: once it can be made, so can those inside it.
  // (Not mkdir -p: Node's loops forever under /proc.)
  let top = folder;
  if (!existing) while (!(await stat(dirname(top)).catch(() => undefined))) top = dirname(top);
  const probe = existing ? `${folder}/.tp-probe` : top;
  try {
    await mkdir(probe, { mode: 0o700 });
  } catch (err) {
    throw new TpError(
      "usage",
      `--mount ${folder}: not writable by this user (${(err as NodeJS.ErrnoException).code ?? "error"})`,
    );
  } finally {
    await rm(probe, { recursive: true, force: true }).catch(() => undefined);
  }
}
