import {
  chmod,
  mkdir,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  stat,
  symlink,
  writeFile,
} from "node:fs/promises";
import { join } from "node:path";

/** One file of a volume's payload: its bytes and its mode. */
export interface FileProjection {
  data: Buffer;
  mode: number;
}

const dataDir = "..data";

function timestampDirName(): string {
  const d = new Date();
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  const stamp = `${d.getUTCFullYear()}_${p(d.getUTCMonth() + 1)}_${p(d.getUTCDate())}_${p(d.getUTCHours())}_${p(
    d.getUTCMinutes(),
  )}_${p(d.getUTCSeconds())}`;
  return `..${stamp}.${Math.floor(Math.random() * 1e10)}`;
}

async function currentMatches(dir: string, payload: Map<string, FileProjection>): Promise<boolean> {
  try {
    const files = await listFiles(join(dir, dataDir));
    if (files.length !== payload.size) return false;
    for (const [path, f] of payload) {
      const full = join(dir, dataDir, path);
      const st = await stat(full);
      if ((st.mode & 0o7777) !== f.mode) return false;
      if (!(await readFile(full)).equals(f.data)) return false;
    }
    return true;
  } catch {
    return false;
  }
}

async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(join(dir, e.name), rel)));
    else out.push(rel);
  }
  return out;
}

/**
 * Writes a volume's files the way the kubelet's AtomicWriter does: the data goes into a fresh
 * timestamped directory, `..data` is switched to it with one rename, and each top-level name is a
 * symlink through `..data`; so a reader sees either the old or the new set, never a mix.
 * Returns false when the payload was already there.
 */
export async function writeAtomically(
  dir: string,
  payload: Map<string, FileProjection>,
  /** Called on the volume before `..data` moves to the new files (the kubelet's setPerms). */
  setPerms: (dir: string) => Promise<void> = async () => undefined,
): Promise<boolean> {
  await mkdir(dir, { recursive: true, mode: 0o755 });
  if (await currentMatches(dir, payload)) return false;
  let oldTs: string | undefined;
  try {
    oldTs = await readlink(join(dir, dataDir));
  } catch {
    oldTs = undefined;
  }
  const ts = timestampDirName();
  const tsDir = join(dir, ts);
  await mkdir(tsDir, { mode: 0o755 });
  await chmod(tsDir, 0o755);
  for (const [path, f] of payload) {
    const full = join(tsDir, path);
    const parent = full.slice(0, full.lastIndexOf("/"));
    await mkdir(parent, { recursive: true, mode: 0o755 });
    await writeFile(full, f.data);
    await chmod(full, f.mode);
  }
  await setPerms(dir);
  const tmpLink = join(dir, "..data_tmp");
  await rm(tmpLink, { force: true });
  await symlink(ts, tmpLink);
  await rename(tmpLink, join(dir, dataDir));

  const top = new Set([...payload.keys()].map((p) => p.split("/")[0] ?? p));
  for (const name of top) {
    const link = join(dir, name);
    try {
      if ((await readlink(link)) === join(dataDir, name)) continue;
    } catch {
      // missing: create it
    }
    await rm(link, { force: true, recursive: true });
    await symlink(join(dataDir, name), link);
  }
  for (const name of await readdir(dir)) {
    if (name.startsWith("..") || top.has(name)) continue;
    await rm(join(dir, name), { force: true, recursive: true });
  }
  if (oldTs && oldTs !== ts) await rm(join(dir, oldTs), { recursive: true, force: true });
  return true;
}
