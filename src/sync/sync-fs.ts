import * as fs from "node:fs";
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

/** Files up to this size are read and written in one call. */
const wholeFile = 4 * 1024 * 1024;

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
  createWriteStream: (p: string) => {
    // Owner-only until tar-fs gives it the header's mode: a Secret's file is never more open.
    const fd = fs.openSync(p, "w", 0o600);
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
          fs.closeSync(fd);
          cb();
        } catch (err) {
          cb(err as Error);
        }
      },
      destroy(err, cb) {
        try {
          fs.closeSync(fd);
        } catch {
          // Already closed.
        }
        cb(err);
      },
    });
  },
};
