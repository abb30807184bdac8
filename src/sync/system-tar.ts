import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { finished } from "node:stream/promises";

/**
 * The system's tar (busybox's in the tp-agent image), for the first copy of whole volumes: for
 * thousands of small files it is many times faster than tar-fs, which handles one entry after
 * the other in JavaScript. tar-fs stays for the small copies while the session runs, and for
 * when there is no tar.
 */
export function systemTar(): string | undefined {
  return ["/bin/tar", "/usr/bin/tar"].find((p) => existsSync(p));
}

/** `tar -c` of `names` (relative to "/"), leaving out `skip` (absolute paths; needs a tar with -X). */
export function packWithTar(
  tar: string,
  names: string[],
  skip: string[],
  log: (m: string) => void,
): Readable {
  const dir = mkdtempSync(join(tmpdir(), "tp-tar-"));
  const exclude = join(dir, "exclude");
  writeFileSync(exclude, skip.map((p) => p.replace(/^\/+/, "")).join("\n") + "\n");
  const excludes = skip.length ? ["-X", exclude] : [];
  const child = spawn(tar, ["-c", "-f", "-", "-C", "/", ...excludes, "--", ...names], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  child.stderr.on("data", (c: Buffer) => (err += c.toString()));
  child.on("close", (code) => {
    rmSync(dir, { recursive: true, force: true });
    if (code !== 0) log(`tar -c exited ${code}: ${err.trim()}`);
  });
  return child.stdout;
}

/**
 * `tar -x` of a stream under `root`, modes as they are (umask 0). tar stops reading at the
 * archive's end marker, which may come before the zero blocks that pad the archive to a whole
 * record: those are read here and checked to be zeros, so that a pipe broken by tar's exit is
 * not taken for a failed copy, and data after the end is not lost unnoticed.
 */
export async function extractWithTar(tar: string, root: string, source: Readable): Promise<void> {
  const child = spawn("/bin/sh", ["-c", 'umask 000 && exec "$0" -x -p -f - -C "$1"', tar, root], {
    stdio: ["pipe", "ignore", "pipe"],
  });
  let err = "";
  child.stderr.on("data", (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number>((resolve) => child.on("close", (code) => resolve(code ?? 1)));
  let stopped = false;
  let after = false;
  const stop = () => {
    stopped = true;
    source.resume();
  };
  let tarFailed = false;
  child.stdin.on("error", stop);
  child.on("close", (code) => {
    // A tar that failed reads no more: the rest of the stream is not wanted.
    if (code !== 0) {
      tarFailed = true;
      source.destroy();
    } else stop();
  });
  source.on("data", (chunk: Buffer) => {
    if (stopped) {
      if (chunk.some((b) => b !== 0)) after = true;
    } else if (!child.stdin.write(chunk)) {
      source.pause();
      child.stdin.once("drain", () => source.resume());
    }
  });
  const fed = finished(source).then(
    () => (stopped ? undefined : child.stdin.end(), undefined),
    (e: Error) => (child.stdin.destroy(), e),
  );
  const [code, failed] = await Promise.all([exited, fed]);
  if (tarFailed) throw new Error(`tar -x exited ${code}: ${err.trim()}`);
  if (failed) throw failed;
  if (after) throw new Error("tar -x stopped before the end of the stream");
}
