import { lstat } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";

/**
 * Whether `path` is a folder as tp makes its own: an absolute, normalized path to a real directory
 * (not a link) of this user, owner-only. The first check before tp removes a folder that a label
 * or a record names, or that a scan found: anyone can write those.
 */
export async function isPrivateFolder(path: string): Promise<boolean> {
  if (!isAbsolute(path) || resolve(path) !== path) return false;
  const st = await lstat(path).catch(() => undefined);
  if (!st?.isDirectory()) return false;
  const uid = process.getuid?.();
  return (uid === undefined || st.uid === uid) && (st.mode & 0o077) === 0;
}
