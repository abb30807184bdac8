import { lstat, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hostProgram, hostProgramFile, type HostProgram } from "../contract/local-record.js";
import { readJsonLine } from "../contract/message.js";
import { removeSocketFolder, socketFolderPath } from "../docker/socket-folder.js";
import { isPrivateFolder } from "../private-folder.js";
import { processAlive, processesWithEnv, processStartTime } from "../process-alive.js";
import { defaultSessionFolder, isSessionFolder, removeSessionFolder } from "../volumes/session-folder.js";
import type { FoundRecord } from "./local-record.js";

/** The host folder of `tp run` (the preload library, the program's record). */
export function hostFolder(sessionId: string, dir = tmpdir()): string {
  return join(dir, `tp-${sessionId}-host`);
}

/**
 * Undo what a session whose tp died left on this machine, as its record says (after its
 * containers are gone): end the program `tp run` started, remove its folders, then the record.
 * Only folders that pass tp's checks are removed (private, this user's, named as tp names them;
 * a chosen folder holding the session's marker); the others are named in `left`.
 */
export async function removeLocalLeftovers(
  record: FoundRecord,
  removeAsRoot: (folder: string) => Promise<void>,
  dir = tmpdir(),
): Promise<{ done: string[]; left: string[] }> {
  const { id } = record;
  const done: string[] = [];
  const left: string[] = [];
  const host = hostFolder(id, dir);
  if (await isPrivateFolder(host)) {
    const program = await endProgram(host);
    if (program) done.push(`program ${program} of session ${id} ended`);
    // What the program started runs on after it (a shell's jobs, a server's workers): each one
    // that tp run's environment reached is ended too.
    const others = await endStartedUnder(host, program);
    if (others.length)
      done.push(`process${others.length > 1 ? "es" : ""} ${others.join(", ")} of session ${id} ended`);
    await rm(host, { recursive: true, force: true });
    done.push(`folder ${host} removed`);
  }
  for (const folder of [defaultSessionFolder(id, dir), ...(record.mount ? [record.mount] : [])]) {
    if (await isSessionFolder(folder, id)) {
      if (await removeSessionFolder(folder, removeAsRoot)) done.push(`session folder ${folder} removed`);
    } else if (folder === record.mount && (await lstat(folder).catch(() => undefined))) left.push(folder);
  }
  const sockets = socketFolderPath(id, dir);
  if ((await isPrivateFolder(sockets)) && (await removeSocketFolder(sockets)))
    done.push(`socket folder ${sockets} removed`);
  await rm(record.path, { force: true });
  return { done, left };
}

/**
 * End the processes tp run's environment reached (their LD_PRELOAD names this host folder's
 * library), but `program`: what the program started and left running (a shell's jobs, a server's
 * workers), as a container's end ends every process in it. SIGTERM each, SIGKILL those still
 * running after `graceMs`. Returns the ids signalled (none where /proc is not there).
 */
export async function endStartedUnder(folder: string, program?: number, graceMs = 2_000): Promise<number[]> {
  const signal = (pid: number, name: NodeJS.Signals) => {
    try {
      process.kill(pid, name);
      return true;
    } catch {
      return false;
    }
  };
  // Each with its start time: an id taken by another process meanwhile is not signalled again.
  const found = processesWithEnv("LD_PRELOAD", `${folder}/`)
    .filter((pid) => pid !== program)
    .map((pid) => ({ pid, started: processStartTime(pid) }))
    .filter(({ pid }) => signal(pid, "SIGTERM"));
  // A stopped process (Ctrl-Z) acts on SIGTERM only once continued.
  for (const { pid, started } of found) if (processAlive(pid, started)) signal(pid, "SIGCONT");
  const deadline = Date.now() + graceMs;
  let running = found;
  while (running.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    running = running.filter(({ pid, started }) => processAlive(pid, started));
  }
  for (const { pid } of running) signal(pid, "SIGKILL");
  return found.map(({ pid }) => pid);
}

/** Record the program `tp run` started in its host folder (owner-only). */
export async function recordProgram(folder: string, pid: number): Promise<void> {
  const started = processStartTime(pid);
  const record: HostProgram = { pid, ...(started ? { started } : {}) };
  await writeFile(join(folder, hostProgramFile), JSON.stringify(record) + "\n", { mode: 0o600, flag: "wx" });
}

/**
 * End the program of a host folder if it still runs (SIGTERM); returns its pid then. Only with its
 * start time recorded: without it, another process may have got the id since.
 */
async function endProgram(folder: string): Promise<number | undefined> {
  const text = await readFile(join(folder, hostProgramFile), "utf8").catch(() => "");
  const read = readJsonLine(hostProgram, text);
  if (!("message" in read) || !read.message.started) return undefined;
  if (!processAlive(read.message.pid, read.message.started)) return undefined;
  try {
    process.kill(read.message.pid, "SIGTERM");
    return read.message.pid;
  } catch {
    return undefined;
  }
}
