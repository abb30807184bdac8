import type { Stats } from "node:fs";

import type { EntryType, WireEntry } from "../contract/volume-protocol.js";

export type { EntryType, WireEntry };

/** One path of a volume as one side sees it. */
export interface Entry {
  type: EntryType;
  /** Permission bits (0o7777 at most). */
  mode: number;
  size: number;
  mtimeMs: number;
  /** Symlinks: where they point, as written. */
  target?: string;
  uid?: number;
  gid?: number;
}

export function toWire(e: Entry): WireEntry {
  return e.target === undefined
    ? [e.type, e.mode, e.size, e.mtimeMs]
    : [e.type, e.mode, e.size, e.mtimeMs, e.target];
}

export function fromWire(w: WireEntry): Entry {
  const [type, mode, size, mtimeMs, target] = w;
  return target === undefined ? { type, mode, size, mtimeMs } : { type, mode, size, mtimeMs, target };
}

/** The kind of an lstat result, or undefined for sockets, fifos and devices. */
export function typeOf(st: Stats): EntryType | undefined {
  if (st.isFile()) return "file";
  if (st.isDirectory()) return "dir";
  if (st.isSymbolicLink()) return "symlink";
  return undefined;
}

export function entryOf(st: Stats, target?: string): Entry | undefined {
  const type = typeOf(st);
  if (!type) return undefined;
  const e: Entry = {
    type,
    mode: st.mode & 0o7777,
    size: type === "file" ? st.size : 0,
    mtimeMs: Math.floor(st.mtimeMs),
    uid: st.uid,
    gid: st.gid,
  };
  if (target !== undefined) e.target = target;
  return e;
}

/**
 * What counts as a change of one side: a file's mode, size and mtime; a directory's mode; a
 * symlink's target. (A directory's mtime changes with every child and says nothing new.)
 */
export function signature(e: Entry | undefined): string {
  if (!e) return "";
  if (e.type === "dir") return `d:${e.mode.toString(8)}`;
  if (e.type === "symlink") return `l:${e.target ?? ""}`;
  return `f:${e.mode.toString(8)}:${e.size}:${e.mtimeMs}`;
}
