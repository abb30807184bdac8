import { lstat, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { localRecord, type LocalRecord } from "../contract/local-record.js";
import { readJsonLine } from "../contract/message.js";
import { currentOwner, ownerAlive } from "../process-alive.js";

const recordName = /^tp-([0-9a-f]+)-session\.json$/;

/** The record of a session's local files (see LocalRecord) in the temporary directory `dir`. */
export function localRecordPath(sessionId: string, dir = tmpdir()): string {
  return join(dir, `tp-${sessionId}-session.json`);
}

/** A session's record, made before its first local folder; removed after its last. */
export interface MadeLocalRecord {
  remove(): Promise<void>;
}

/** Make the session's record (owner-only, never one that exists), naming the chosen folder. */
export async function createLocalRecord(
  sessionId: string,
  chosenFolder?: string,
  namespace?: string,
  dir = tmpdir(),
): Promise<MadeLocalRecord> {
  const path = localRecordPath(sessionId, dir);
  const record: LocalRecord = {
    session: sessionId,
    ...currentOwner(),
    ...(chosenFolder ? { mount: resolve(chosenFolder) } : {}),
    ...(namespace ? { namespace } : {}),
  };
  await writeFile(path, JSON.stringify(record) + "\n", { mode: 0o600, flag: "wx" });
  return { remove: () => rm(path, { force: true }) };
}

/** A record found in the temporary directory. */
export interface FoundRecord {
  id: string;
  path: string;
  /** Its chosen session folder, if any. */
  mount?: string;
  /** The namespace of its cluster end (records of older versions have none). */
  namespace?: string;
  /** Its owner still runs (or runs on another host). */
  live: boolean;
}

/**
 * A record whose contents cannot be read was cut short by a crash as it was written (they are
 * written right after the file is made): its owner is taken as gone once it is this old.
 */
const unreadableGraceMs = 60_000;

/**
 * The session records in `dir`: files named as tp names them, of this user, owner-only. Anything
 * else in the folder is not looked at.
 */
export async function listLocalRecords(dir = tmpdir(), now = Date.now()): Promise<FoundRecord[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const found: FoundRecord[] = [];
  const uid = process.getuid?.();
  for (const name of names) {
    const id = recordName.exec(name)?.[1];
    if (!id) continue;
    const path = join(dir, name);
    const st = await lstat(path).catch(() => undefined);
    if (!st?.isFile() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o077) !== 0) continue;
    const read = readJsonLine(localRecord, await readFile(path, "utf8").catch(() => ""));
    if (!("message" in read) || read.message.session !== id) {
      found.push({ id, path, live: now - st.mtimeMs < unreadableGraceMs });
      continue;
    }
    const { mount, namespace } = read.message;
    found.push({
      id,
      path,
      ...(mount ? { mount } : {}),
      ...(namespace ? { namespace } : {}),
      live: ownerAlive(read.message),
    });
  }
  return found;
}
