import * as fs from "node:fs";
import { basename, dirname, join } from "node:path";
import { Readable, Writable } from "node:stream";

type Cb<T> = (err: NodeJS.ErrnoException | null, value?: T) => void;

/** Call `op` now (a plain system call) and its callback as a microtask: no thread-pool hop. */
function now<T>(op: () => T, cb: Cb<T>): void {
  let value: T;
  try {
    value = op();
  } catch (err) {
    queueMicrotask(() => cb(err as NodeJS.ErrnoException));
    return;
  }
  queueMicrotask(() => cb(null, value));
}

/** open(2) flags of a write: "w", and ELOOP rather than following a symlink. */
const writeFlags =
  fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_NOFOLLOW;

/** Files up to this size are read and written in one call. */
const wholeFile = 4 * 1024 * 1024;

/**
 * A stream of direct writes to `fd`. `finish` runs before the file is closed at the end (its error
 * is the stream's); `after` once it is closed, whether the stream ended or was cut off.
 */
function fdWritable(fd: number, finish?: () => void, after?: () => void): Writable {
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    fs.closeSync(fd);
  };
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      try {
        fs.writeSync(fd, chunk);
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
    final(cb) {
      try {
        finish?.();
        close();
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
    destroy(err, cb) {
      try {
        close();
      } catch {
        // Already closed.
      }
      try {
        after?.();
      } catch {
        // Nothing more to undo.
      }
      cb(err);
    },
  });
}

/**
 * An `fs` for tar-fs that makes each file operation a direct system call. tar-fs handles one
 * entry after the other and waits for each stat, open, write, chmod and utimes in turn; through
 * the thread pool every one of them waits for the event loop, which on a busy machine makes a
 * volume of thousands of small files take many times longer than `tar` itself. The agent does
 * nothing else while it copies, and large files still stream.
 */
export const syncFs = {
  ...fs,
  lstat: (p: string, cb: Cb<fs.Stats>) => now(() => fs.lstatSync(p), cb),
  stat: (p: string, cb: Cb<fs.Stats>) => now(() => fs.statSync(p), cb),
  readdir: (p: string, cb: Cb<string[]>) => now(() => fs.readdirSync(p), cb),
  readlink: (p: string, cb: Cb<string>) => now(() => fs.readlinkSync(p), cb),
  mkdir: (p: string, o: fs.MakeDirectoryOptions, cb: Cb<string | undefined>) =>
    now(() => fs.mkdirSync(p, o), cb),
  unlink: (p: string, cb: Cb<void>) => now(() => fs.unlinkSync(p), cb),
  symlink: (target: string, p: string, cb: Cb<void>) => now(() => fs.symlinkSync(target, p), cb),
  chown: (p: string, uid: number, gid: number, cb: Cb<void>) => now(() => fs.chownSync(p, uid, gid), cb),
  lchown: (p: string, uid: number, gid: number, cb: Cb<void>) => now(() => fs.lchownSync(p, uid, gid), cb),
  chmod: (p: string, mode: number, cb: Cb<void>) => now(() => fs.chmodSync(p, mode), cb),
  utimes: (p: string, a: Date, m: Date, cb: Cb<void>) => now(() => fs.utimesSync(p, a, m), cb),
  createReadStream: (p: string, options?: { start?: number; end?: number }) => {
    const size = (options?.end ?? -1) + 1 - (options?.start ?? 0);
    if (size > wholeFile) return fs.createReadStream(p, options);
    try {
      const buf = fs.readFileSync(p);
      return Readable.from([buf.subarray(options?.start ?? 0, (options?.end ?? buf.length - 1) + 1)]);
    } catch (err) {
      return new Readable({
        read() {
          this.destroy(err as Error);
        },
      });
    }
  },
  createWriteStream: (p: string) =>
    // Owner-only until tar-fs gives it the header's mode: a Secret's file is never more open.
    // Never through a symlink (tar-fs unlinks one first; one made since fails here).
    fdWritable(fs.openSync(p, writeFlags, 0o600)),
};

/** Where a file that replaces another is written before it takes the name (beside it). */
const partSuffix = ".tp-part";
let parts = 0;
/** Longer names are written in place: the part's name would pass the system's 255 bytes. */
const longestPartBase = 200;

/** Whether a name in a folder is a file being written to replace another (no one's data). */
export function isPartName(name: string): boolean {
  return name.startsWith(".") && name.endsWith(partSuffix);
}

/** How a replacing file is finished before it takes its name: the header's owner and mode. */
export interface Finish {
  mode: number;
  owner?: { uid: number; gid: number };
}

/**
 * A write that replaces the file at `p` whole: written beside it under a hidden name, given its
 * owner (the header's, else the old file's) and mode, then renamed over it. A reader sees the old file or the new one, never one
 * half written, and a write cut off (an error, the stream destroyed) leaves the old file and no
 * part. A file with other hard links is written in place, so that every name sees the change, and
 * so is one in a folder where no new file can be made.
 */
export function replacingWriteStream(p: string, finish: () => Finish): Writable {
  let there: fs.Stats | undefined;
  try {
    there = fs.lstatSync(p);
  } catch {
    // Not there yet.
  }
  // Not a plain file (a folder: the write fails as it did), one with other names, or another
  // user's that this one could not give back to that user.
  const root = process.getuid?.() === 0;
  const inPlace =
    there && (!there.isFile() || there.nlink > 1 || (!root && there.uid !== process.getuid?.()));
  if (inPlace || Buffer.byteLength(basename(p)) > longestPartBase) return syncFs.createWriteStream(p);
  const part = join(dirname(p), `.${basename(p)}.${process.pid}-${++parts}${partSuffix}`);
  let fd: number;
  try {
    fd = fs.openSync(part, "wx", 0o600);
  } catch {
    // A folder this user may not write to (a file in it may still be writable): in place, as before.
    return syncFs.createWriteStream(p);
  }
  let renamed = false;
  return fdWritable(
    fd,
    () => {
      const { mode, owner } = finish();
      // The header's owner where one is given, else the file's own.
      const to = owner ?? (there && root ? { uid: there.uid, gid: there.gid } : undefined);
      if (to) fs.fchownSync(fd, to.uid, to.gid);
      fs.fchmodSync(fd, mode);
      fs.renameSync(part, p);
      renamed = true;
    },
    // Cut off (or failed to take the name): the part goes, the old file stays.
    () => {
      if (!renamed) fs.rmSync(part, { force: true });
    },
  );
}
