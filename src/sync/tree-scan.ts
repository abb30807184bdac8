import { lstatSync, readdirSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { isPartName } from "./sync-fs.js";
import { entryOf, type Entry } from "./entry.js";

/** A volume as one side sees it: every path under its root ("" is the root itself). */
export interface TreeScan {
  entries: Map<string, Entry>;
  /** Bytes of the regular files. */
  bytes: number;
  /** Files this process may not read (a Secret of mode 0400 owned by someone else). */
  unreadable: Set<string>;
}

function readable(e: Entry): boolean {
  const uid = process.getuid?.() ?? 0;
  if (uid === 0) return true;
  if (e.uid === uid) return (e.mode & 0o400) !== 0;
  if (e.gid !== undefined && (process.getgroups?.() ?? []).includes(e.gid)) return (e.mode & 0o040) !== 0;
  return (e.mode & 0o004) !== 0;
}

/**
 * lstat every path under `root` (symlinks are not followed). `exclude` holds relative paths that
 * are not part of this volume (another volume mounted inside it). A missing root gives no entries.
 */
export function scanTree(root: string, exclude: ReadonlySet<string> = new Set()): Promise<TreeScan> {
  const scan: TreeScan = { entries: new Map(), bytes: 0, unreadable: new Set() };
  // Direct system calls: one walk over thousands of entries, without a thread-pool hop for each.
  const visit = (rel: string): void => {
    const abs = rel ? join(root, rel) : root;
    let entry: Entry | undefined;
    try {
      const st = lstatSync(abs);
      entry = entryOf(st, st.isSymbolicLink() ? readlinkSync(abs) : undefined);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
      throw err;
    }
    if (!entry) return;
    scan.entries.set(rel, entry);
    if (entry.type === "file") {
      scan.bytes += entry.size;
      if (!readable(entry)) scan.unreadable.add(rel);
    }
    if (entry.type !== "dir") return;
    let names: string[];
    try {
      names = readdirSync(abs);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") return;
      if (code === "EACCES") {
        scan.unreadable.add(rel);
        return;
      }
      throw err;
    }
    // A file being written to replace another (or one a crash left) is no one's data.
    const children = names
      .filter((n) => !isPartName(n))
      .map((n) => (rel ? `${rel}/${n}` : n))
      .filter((r) => !exclude.has(r));
    for (const child of children) visit(child);
  };
  visit("");
  return Promise.resolve(scan);
}
