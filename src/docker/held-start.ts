import type Dockerode from "dockerode";
import { execFile } from "node:child_process";
import { constants } from "node:fs";
import { open, readFile, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import type { DockerRunArgs } from "./docker-run-args.js";
import { copyFileOut } from "./preload-copy.js";

/** Where the hold's files appear in the user container. */
const inContainer = "/.tp-hold";
/** The agent image's static busybox: the hold runs it, whatever the user's image holds. */
const busyboxInAgent = "/bin/busybox";

/**
 * What the held container runs first (busybox sh, with the user's program in "$@"): it waits for
 * one line on the hold's pipe, then execs the program with the environment the container was
 * given, read back from /proc (the shell adds SHLVL, PWD and PATH of its own). An end of file
 * instead of the line (tp went away) ends the container without running the program.
 */
export const holdScript = [
  `IFS= read -r go < ${inContainer}/go && [ "$go" = go ] || exit 125`,
  "n=$#",
  `while IFS= read -r -d '' e; do set -- "$@" "$e"; done < /proc/self/environ`,
  'while [ "$n" -gt 0 ]; do set -- "$@" "$1"; shift; n=$((n-1)); done',
  `exec ${inContainer}/busybox env -i "$@"`,
].join("\n");

/** The image's own ENTRYPOINT and CMD, as `docker image inspect` gives them. */
export interface ImageCommand {
  entrypoint?: string[] | null;
  cmd?: string[] | null;
  /** The image's USER ("" or absent: root). */
  user?: string;
}

/**
 * The program the container runs, as the daemon makes it from the image and `docker run`'s
 * arguments; undefined where the hold does not apply (--entrypoint given, nothing to run, or a
 * program name that `env` would take for a variable).
 */
export function heldArgv(
  image: ImageCommand,
  run: Pick<DockerRunArgs, "entrypoint" | "args">,
): string[] | undefined {
  if (run.entrypoint !== undefined) return undefined;
  const argv = [...(image.entrypoint ?? []), ...(run.args.length ? run.args : (image.cmd ?? []))];
  const [program] = argv;
  return program && !program.includes("=") ? argv : undefined;
}

/** Whether an ELF file runs without a dynamic loader (no PT_INTERP program header). */
export function isStaticElf(bytes: Buffer): boolean {
  if (bytes.length < 64 || bytes.readUInt32BE(0) !== 0x7f454c46) return false;
  const is64 = bytes[4] === 2;
  const le = bytes[5] === 1;
  const u16 = (at: number) => (le ? bytes.readUInt16LE(at) : bytes.readUInt16BE(at));
  const u32 = (at: number) => (le ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at));
  const phoff = is64 ? Number(le ? bytes.readBigUInt64LE(32) : bytes.readBigUInt64BE(32)) : u32(28);
  const phentsize = u16(is64 ? 54 : 42);
  const phnum = u16(is64 ? 56 : 44);
  if (phoff + phentsize * phnum > bytes.length) return false;
  for (let i = 0; i < phnum; i++) if (u32(phoff + i * phentsize) === 3) return false;
  return true;
}

/**
 * A user container started ahead with its program held back: Docker does the slow part of a
 * start (namespaces, mounts, the attach) while the session comes up, and release() lets the
 * program run. Only for an engine on this machine (a named pipe in a host folder reaches the
 * container) and the agent image's busybox static.
 */
export class HeldStart {
  private constructor(
    private readonly pipe: FileHandle,
    /** `-v` values of the hold. */
    readonly mounts: string[],
  ) {}

  /**
   * The hold's files in `folder` (owner-only, on this machine): busybox out of the sidecar's
   * image and the named pipe, opened here for reading and writing so that the container's read
   * waits for release() and ends when tp does. Undefined where that cannot be had.
   */
  static async prepare(sidecar: Dockerode.Container, folder: string): Promise<HeldStart | undefined> {
    try {
      const busybox = await copyFileOut(sidecar, busyboxInAgent, folder);
      if (!isStaticElf(await readFile(busybox))) return undefined;
      const go = join(folder, "go");
      await promisify(execFile)("mkfifo", ["-m", "0644", go]);
      const pipe = await open(go, constants.O_RDWR | constants.O_NONBLOCK);
      return new HeldStart(pipe, [`${busybox}:${inContainer}/busybox:ro`, `${go}:${inContainer}/go:ro`]);
    } catch {
      return undefined;
    }
  }

  /** `docker create` flags and arguments after the image that run `argv` once released. */
  command(argv: string[]): { entrypoint: string; args: string[] } {
    return { entrypoint: `${inContainer}/busybox`, args: ["sh", "-c", holdScript, "tp-hold", ...argv] };
  }

  /** Let the program run. */
  async release(): Promise<void> {
    await this.pipe.write("go\n");
  }

  /** Close the pipe: a container still held ends without running its program. */
  async close(): Promise<void> {
    await this.pipe.close().catch(() => undefined);
  }
}
