import { Writable } from "node:stream";
import type { syncFs } from "./sync-fs.js";

type Fs = typeof syncFs;
type Cb = (err: NodeJS.ErrnoException | null, value?: unknown) => void;

/** Metadata that this user may not set on a file it may still write (another user's file). */
const notPermitted = new Set(["EPERM", "EACCES"]);

/**
 * An `fs` for tar-fs that writes what it can: an entry it cannot write (a file or folder of
 * another user, a folder it may not write to) is reported to `onFailure` and skipped, its data
 * read and dropped, and the rest of the stream is still written. tar-fs alone stops at the first
 * failure, and a write stream that fails to open throws where nothing catches it. Times, modes and
 * owners that may not be set on a file that was written are left as they are.
 */
export function tolerantFs(inner: Fs, onFailure: (path: string, err: NodeJS.ErrnoException) => void): Fs {
  const failed = new Set<string>();
  const fail = (p: string, err: NodeJS.ErrnoException): void => {
    if (failed.has(p)) return;
    failed.add(p);
    onFailure(p, err);
  };
  /** An operation whose failure skips the entry (but for what tar-fs expects: `harmless`). */
  const entryOp =
    (op: (p: string, ...rest: never[]) => void, harmless?: string, pathAt = 0) =>
    (...args: unknown[]): void => {
      const cb = args[args.length - 1] as Cb;
      const p = args[pathAt] as string;
      (op as (...a: unknown[]) => void)(
        ...args.slice(0, -1),
        (err: NodeJS.ErrnoException | null, v?: unknown) => {
          if (err && err.code !== harmless) {
            fail(p, err);
            cb(null);
          } else cb(err, v);
        },
      );
    };
  /** Metadata of an entry: nothing for a skipped one; not permitted is left as it is. */
  const metaOp =
    (op: (p: string, ...rest: never[]) => void) =>
    (p: string, ...args: unknown[]): void => {
      const cb = args[args.length - 1] as Cb;
      if (failed.has(p)) return cb(null);
      (op as (...a: unknown[]) => void)(p, ...args.slice(0, -1), (err: NodeJS.ErrnoException | null) =>
        cb(err && err.code && notPermitted.has(err.code) ? null : err),
      );
    };
  /**
   * A look at a path that fails otherwise than "not there" (a folder this user may not search):
   * as if it were not there, so that tar-fs goes on and the write that follows fails and is named.
   */
  const lookOp =
    (op: (p: string, cb: Cb) => void) =>
    (p: string, cb: Cb): void =>
      op(p, (err, v) =>
        cb(err && err.code !== "ENOENT" ? Object.assign(new Error(err.message), { code: "ENOENT" }) : err, v),
      );
  return {
    ...inner,
    stat: lookOp(inner.stat as (p: string, cb: Cb) => void) as Fs["stat"],
    lstat: lookOp(inner.lstat as (p: string, cb: Cb) => void) as Fs["lstat"],
    mkdir: entryOp(inner.mkdir) as Fs["mkdir"],
    symlink: entryOp(inner.symlink, undefined, 1) as Fs["symlink"],
    // tar-fs unlinks before each symlink, there or not.
    unlink: entryOp(inner.unlink, "ENOENT") as Fs["unlink"],
    utimes: metaOp(inner.utimes) as Fs["utimes"],
    chmod: metaOp(inner.chmod) as Fs["chmod"],
    chown: metaOp(inner.chown) as Fs["chown"],
    lchown: metaOp(inner.lchown) as Fs["lchown"],
    createWriteStream: ((p: string) => {
      // Never through what could not be unlinked (a symlink), nor into what could not be made.
      if (!failed.has(p)) {
        try {
          return failSoftly(inner.createWriteStream(p), (err) => fail(p, err));
        } catch (err) {
          fail(p, err as NodeJS.ErrnoException);
        }
      }
      return new Writable({ write: (_chunk, _enc, cb) => cb() });
    }) as Fs["createWriteStream"],
  };
}

/**
 * `inner`, whose failure (no space left, an owner or a name that could not be given) is reported
 * to `onError` and ends the write: the rest of the entry's data is dropped and tar-fs goes on with
 * the next entry. A write stream cut off by the stream's end (destroyed) is destroyed too.
 */
function failSoftly(inner: Writable, onError: (err: NodeJS.ErrnoException) => void): Writable {
  let broken = false;
  inner.on("error", (err: NodeJS.ErrnoException) => {
    broken = true;
    onError(err);
  });
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (broken) return cb();
      inner.write(chunk, () => cb());
    },
    final(cb) {
      if (broken) return cb();
      // end()'s callback also comes on an error: the entry is done either way, once.
      let done = false;
      inner.end(() => {
        if (done) return;
        done = true;
        cb();
      });
    },
    destroy(err, cb) {
      inner.destroy();
      cb(err);
    },
  });
}

/** Why an entry could not be written, for the user. */
export function whyNotWritten(err: NodeJS.ErrnoException): string {
  if (err.code === "EACCES" || err.code === "EPERM")
    return `permission denied to UID ${process.getuid?.() ?? "?"}`;
  if (err.code === "EROFS") return "read-only file system";
  if (err.code === "ENOSPC") return "no space left";
  return err.message;
}
