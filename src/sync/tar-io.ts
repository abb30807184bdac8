import type { MakeDirectoryOptions } from "node:fs";
import { lstat } from "node:fs/promises";
import { basename, join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import * as tarFs from "tar-fs";
import { isPartName, replacingWriteStream, syncFs } from "./sync-fs.js";
import { tolerantFs } from "./tolerant-fs.js";

export type TarHeader = tarFs.Headers;

export interface PackOptions {
  /** Whole trees under each entry (a snapshot), or exactly the entries listed (a fetch). */
  recursive: boolean;
  /** Absolute paths left out (with what is under them): nested volumes, unreadable files. */
  skip?: ReadonlySet<string>;
}

/**
 * A tar stream of `entries` (paths relative to `cwd`) with modes, mtimes and symlinks as they
 * are; nothing is masked by the umask. Entries missing by now are left out.
 *
 * Each entry is packed from its own folder into one shared stream: tar-fs refuses every path
 * when its cwd is "/" (the pod's side), and this way needs no common parent.
 */
export async function packPaths(cwd: string, entries: string[], options: PackOptions): Promise<Readable> {
  const present: string[] = [];
  for (const e of entries) {
    try {
      await lstat(join(cwd, e));
      present.push(e);
    } catch {
      // Gone since it was listed: the next listing says so.
    }
  }
  const skip = options.skip ?? new Set<string>();
  // A file being written to replace another is no one's data (nor is one a crash left).
  const ignore = options.recursive
    ? (name: string) => skip.has(name) || isPartName(basename(name))
    : () => true;
  let shared: tarFs.Pack | undefined;
  const packOne = (i: number): tarFs.Pack => {
    const name = present[i] as string;
    const prefix = name.replace(/\/+$/, "");
    const next = (pack: tarFs.Pack) => {
      if (i + 1 < present.length) packOne(i + 1);
      else pack.finalize();
    };
    const pack = tarFs.pack(join(cwd, name), {
      entries: ["."],
      fs: syncFs,
      ignore,
      umask: 0,
      strict: false,
      finalize: false,
      finish: next,
      map: (h: TarHeader) => ({ ...h, name: h.name === "." ? prefix : `${prefix}/${h.name}` }),
      ...(shared ? { pack: shared } : {}),
    } as tarFs.PackOptions);
    shared ??= pack;
    return pack;
  };
  if (present.length === 0) {
    const empty = tarFs.pack(cwd, { entries: [], finalize: true } as tarFs.PackOptions);
    return empty as unknown as Readable;
  }
  return packOne(0) as unknown as Readable;
}

/** syncFs whose new folders, parents made on the way included, are the owner's alone. */
const ownerOnlyFs = {
  ...syncFs,
  mkdir: (p: string, o: MakeDirectoryOptions, cb: Parameters<typeof syncFs.mkdir>[2]) =>
    syncFs.mkdir(p, { ...o, mode: Number(o.mode ?? 0o777) & 0o700 }, cb),
};

export interface ExtractOptions {
  /** Adjust a header before it is written (owner, owner-only modes); return undefined to skip it. */
  map?: (header: TarHeader) => TarHeader | undefined;
  /** chown to the header's uid/gid (only root can). */
  chown: boolean;
  /**
   * Nothing written is open to others, folders tar-fs makes for entries whose own folder is not
   * in the stream included (a stream of Secrets).
   */
  ownerOnly?: boolean;
  /**
   * Whether the file of this entry name replaces the one there whole (written beside it, renamed
   * over it): a sync round into a volume a program uses. Not a file that is itself a mount (a
   * subPath mount of one file): a mount pins its file, and a rename over it fails or goes unseen.
   * A first copy into an empty folder writes in place.
   */
  replace?: (name: string) => boolean;
  /**
   * An entry that cannot be written is reported here and skipped, and the rest of the stream is
   * written (without it, the first such entry fails the whole extraction).
   */
  onFailure?: (path: string, err: NodeJS.ErrnoException) => void;
}

/**
 * Write a tar stream under `cwd`; returns the names written. Symlinks are written as they are
 * (a ConfigMap's `key -> ..data/key` points through another symlink); files are never written
 * through an existing symlink, and no entry lands under a symlinked directory.
 */
export async function extractTar(cwd: string, source: Readable, options: ExtractOptions): Promise<string[]> {
  const names: string[] = [];
  const skipped = new Set<string>();
  const umask = options.ownerOnly ? 0o077 : 0;
  const base = options.ownerOnly ? ownerOnlyFs : syncFs;
  // tar-fs writes one entry after the other: the file being written is the last header mapped.
  let current: TarHeader | undefined;
  const own = options.chown && process.getuid?.() === 0;
  const finish = () => ({
    mode: (current?.mode ?? 0o600) & ~umask & 0o777,
    ...(own && current?.uid !== undefined ? { owner: { uid: current.uid, gid: current.gid ?? 0 } } : {}),
  });
  const replace = options.replace;
  const writing = replace
    ? {
        ...base,
        createWriteStream: (p: string) =>
          current && replace(current.name) ? replacingWriteStream(p, finish) : base.createWriteStream(p),
      }
    : base;
  const fs = options.onFailure ? tolerantFs(writing, options.onFailure) : writing;
  const extract = tarFs.extract(cwd, {
    fs,
    umask,
    validateSymlinks: false,
    chown: options.chown,
    strict: false,
    map: (header: TarHeader) => {
      const mapped = options.map ? options.map(header) : header;
      current = mapped;
      if (!mapped) {
        skipped.add(header.name);
        return header;
      }
      names.push(mapped.name);
      return mapped;
    },
    ignore: (_name: string, header?: TarHeader) => (header ? skipped.has(header.name) : false),
  } as tarFs.ExtractOptions);
  await pipeline(source, extract);
  return names;
}
