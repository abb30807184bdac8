import { lstat, mkdir, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { hostCopyMarker } from "../contract/volume-status.js";
import { TpError } from "../errors.js";
import { isPrivateFolder } from "../private-folder.js";

/** In a session folder from its creation on: the session's id, so that tp knows a chosen one. */
const sessionMarker = ".tp-session";

/** The default session folder: private to the user, under the temporary directory. */
export function defaultSessionFolder(sessionId: string, dir = tmpdir()): string {
  return join(dir, `tp-${sessionId}-volumes`);
}

/**
 * Create the session folder (mode 0700). A chosen folder must be new or empty: it is removed
 * with everything in it when the session ends.
 */
export async function createSessionFolder(sessionId: string, chosen?: string): Promise<string> {
  const folder = chosen ? resolve(chosen) : defaultSessionFolder(sessionId);
  const existing = await lstat(folder).catch(() => undefined);
  if (existing) {
    const refuse = (why: string, hint: string) => new TpError("usage", `--mount ${folder}: ${why}`, { hint });
    if (existing.isSymbolicLink())
      throw refuse("is a link; name the folder itself", "tp removes it when the session ends");
    if (!existing.isDirectory() || (await readdir(folder)).length > 0)
      throw refuse("the folder must be new or empty", "tp removes it when the session ends");
    // The pod's Secrets go in it: a folder made earlier must already be the user's alone (tp
    // never widens or narrows a mode after the fact).
    const uid = process.getuid?.();
    if ((uid !== undefined && existing.uid !== uid) || (existing.mode & 0o077) !== 0)
      throw refuse(
        `the folder must be private to you (mode 0${(existing.mode & 0o777).toString(8)}; the pod's secrets would be readable by others)`,
        "name a new folder (tp makes it owner-only), or one made with `mkdir -m 700`",
      );
  }
  await mkdir(folder, { recursive: true, mode: 0o700 });
  await writeFile(join(folder, sessionMarker), sessionId, { mode: 0o600, flag: "wx" });
  return folder;
}

/**
 * Remove a session folder. Files that the user's container created as another user (root) and
 * that the sidecar did not hand over yet may need root: `removeAsRoot` (a container) does that.
 */
export async function removeSessionFolder(
  folder: string,
  removeAsRoot?: (folder: string) => Promise<void>,
): Promise<boolean> {
  if (!(await stat(folder).catch(() => undefined))) return false;
  try {
    await rm(folder, { recursive: true, force: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (!removeAsRoot || (code !== "EACCES" && code !== "EPERM")) throw err;
    await removeAsRoot(folder);
    await rm(folder, { recursive: true, force: true });
  }
  return true;
}

/**
 * Whether a folder that a container's label names is a session folder as tp makes them, so that
 * `tp cleanup` may remove it (possibly as root): a real directory of this user, owner-only, named
 * tp-<session>-volumes or (a --mount folder) holding the session's marker (or, made by an earlier
 * tp, the first copy's marker). Anyone who can
 * create a container can write a label: nothing else is removed.
 */
export async function isSessionFolder(path: string, sessionId: string): Promise<boolean> {
  if (!(await isPrivateFolder(path))) return false;
  if (basename(path) === `tp-${sessionId}-volumes`) return true;
  const marker = join(path, sessionMarker);
  if ((await lstat(marker).catch(() => undefined))?.isFile())
    return (await readFile(marker, "utf8").catch(() => "")) === sessionId;
  return (await lstat(join(path, hostCopyMarker)).catch(() => undefined))?.isFile() ?? false;
}
