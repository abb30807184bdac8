import { chmodSync, lchownSync, lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";

/**
 * After a copy with the system's tar: everything under `path` owned by the host user, and
 * owner-only (0600 files, 0700 folders, the owner's x bit kept) for Secret contents.
 * Direct system calls: one walk over thousands of entries.
 */
export function fixOwnership(path: string, uid: number, gid: number, ownerOnly: boolean): void {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return;
  }
  lchownSync(path, uid, gid);
  if (st.isDirectory()) {
    if (ownerOnly) chmodSync(path, 0o700);
    for (const name of readdirSync(path)) fixOwnership(join(path, name), uid, gid, ownerOnly);
  } else if (st.isFile() && ownerOnly) chmodSync(path, 0o600 | (st.mode & 0o100));
}
