import { constants } from "node:fs";
import { access, readdir, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { TpError } from "../errors.js";

/**
 * Check, before anything is created, that `--mount PATH` can become the session folder: an empty
 * folder this user may write, or a new one under a folder this user may write.
 */
export async function checkMountFolder(chosen: string): Promise<void> {
  const folder = resolve(chosen);
  const existing = await stat(folder).catch(() => undefined);
  if (existing) {
    if (!existing.isDirectory() || (await readdir(folder)).length > 0)
      throw new TpError("usage", `--mount ${folder}: the folder must be new or empty`, {
        hint: "tp removes it when the session ends",
      });
    await writable(folder, folder);
    return;
  }
  let parent = dirname(folder);
  while (!(await stat(parent).catch(() => undefined))) parent = dirname(parent);
  await writable(parent, folder);
}

async function writable(path: string, folder: string): Promise<void> {
  await access(path, constants.W_OK | constants.X_OK).catch(() => {
    throw new TpError("usage", `--mount ${folder}: ${path} is not writable by this user`);
  });
}
