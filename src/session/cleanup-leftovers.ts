import type Dockerode from "dockerode";
import { cleanupClusterSession, listClusterSessions, type ClusterSession } from "../cluster/sessions.js";
import { cleanupIntercepts, type InterceptStatus } from "../cluster/intercept-list.js";
import { listLocalSessions, removeLocalSession, type LocalSession } from "../docker/local-sessions.js";
import { removeSocketFolder } from "../docker/socket-folder.js";
import type { Kube } from "../kube/kube.js";
import { isSessionFolder, removeSessionFolder } from "../volumes/index.js";
import { removeLocalLeftovers } from "./local-leftovers.js";
import { listLocalRecords, type FoundRecord } from "./local-record.js";

/** What `tp cleanup` looks at and how it undoes each kind of leftover (fakes in tests). */
export interface CleanupWays {
  listLocalSessions(): Promise<LocalSession[]>;
  removeLocalSession(s: LocalSession): Promise<string[]>;
  isSessionFolder(folder: string, id: string): Promise<boolean>;
  removeSessionFolder(folder: string): Promise<boolean>;
  removeSocketFolder(folder: string): Promise<boolean>;
  listLocalRecords(): Promise<FoundRecord[]>;
  removeLocalLeftovers(r: FoundRecord): Promise<{ done: string[]; left: string[] }>;
  listClusterSessions(namespace: string | undefined): Promise<ClusterSession[]>;
  cleanupClusterSession(namespace: string, id: string): Promise<string[]>;
  cleanupIntercepts(namespace: string | undefined, dead: (i: InterceptStatus) => boolean): Promise<string[]>;
}

export function cleanupWays(
  kube: Kube,
  docker: Dockerode,
  removeAsRoot: (folder: string) => Promise<void>,
): CleanupWays {
  return {
    listLocalSessions: () => listLocalSessions(docker),
    removeLocalSession: (s) => removeLocalSession(docker, s),
    isSessionFolder,
    removeSessionFolder: (folder) => removeSessionFolder(folder, removeAsRoot),
    removeSocketFolder,
    listLocalRecords: () => listLocalRecords(),
    removeLocalLeftovers: (r) => removeLocalLeftovers(r, removeAsRoot),
    listClusterSessions: (namespace) => listClusterSessions(kube, namespace),
    cleanupClusterSession: (namespace, id) => cleanupClusterSession(kube, namespace, id),
    cleanupIntercepts: (namespace, dead) => cleanupIntercepts(kube, namespace, dead),
  };
}

export interface CleanupRequest {
  /** The namespace to look in; undefined for every namespace. */
  namespace: string | undefined;
  /** Clean up this session even if it still looks alive. */
  session?: string;
}

export interface CleanupResult {
  done: string[];
  /** Steps that failed, each with why; the others were still done. */
  failed: string[];
}

/**
 * Undo what crashed sessions left: their local containers and folders, then their cluster
 * changes, then their intercept entries. A step that fails is reported and the others still run,
 * so that a folder that cannot be removed never leaves a workload scaled to 0.
 */
export async function cleanupLeftovers(
  ways: CleanupWays,
  request: CleanupRequest,
  warn: (text: string) => void,
): Promise<CleanupResult> {
  const done: string[] = [];
  const failed: string[] = [];
  const attempt = async <T>(what: string, step: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await step();
    } catch (err) {
      failed.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  };
  const pick = <T extends { id: string; live: boolean }>(s: T) =>
    request.session ? s.id === request.session : !s.live;

  const listed = await attempt("list the local containers", () => ways.listLocalSessions());
  const local = listed ?? [];
  // Sessions whose containers may still run: their folders are left for a later tp cleanup.
  const containersLeft = new Set<string>();
  // A session whose tp died on this machine is undone now, before its Lease runs out.
  const diedHere = new Set(local.filter((s) => !s.live).map((s) => s.id));
  // A session whose cluster end is in another namespace is left to a cleanup of that namespace
  // (or -A), its folders with it; one named by --session is cleaned wherever it is.
  const elsewhere = (s: LocalSession) =>
    !request.session &&
    request.namespace !== undefined &&
    s.remote?.includes("/") === true &&
    s.remote.split("/")[0] !== request.namespace;
  for (const s of local.filter(pick)) {
    if (elsewhere(s)) {
      containersLeft.add(s.id);
      continue;
    }
    const what = `session ${s.id}`;
    const removed = await attempt(`${what}: remove its containers`, () => ways.removeLocalSession(s));
    if (!removed) {
      containersLeft.add(s.id);
      continue;
    }
    done.push(...removed);
    if (s.volumes) {
      const folder = s.volumes;
      const gone = await attempt(`${what}: remove its session folder ${folder}`, async () => {
        if (await ways.isSessionFolder(folder, s.id)) return ways.removeSessionFolder(folder);
        warn(`${folder}, named by a container of session ${s.id}, is not a session folder: left alone`);
        return false;
      });
      if (gone) done.push(`session folder ${folder} removed`);
    }
    if (s.sockets) {
      const folder = s.sockets;
      if (await attempt(`${what}: remove its socket folder ${folder}`, () => ways.removeSocketFolder(folder)))
        done.push(`socket folder ${folder} removed`);
    }
  }
  // Folders of a session whose tp died before its sidecar existed (or after it was gone), which no
  // label names: found by the session's record in the temporary directory.
  const liveHere = new Set(local.filter((s) => s.live).map((s) => s.id));
  const records = (await attempt("list the local session records", () => ways.listLocalRecords())) ?? [];
  for (const r of records) {
    if (!(request.session ? r.id === request.session : !r.live && !liveHere.has(r.id))) continue;
    if (!r.live) diedHere.add(r.id);
    // Its folders go only once no container of it can still use them, and, like its containers,
    // with a cleanup of its own namespace.
    if (!listed || containersLeft.has(r.id)) continue;
    if (!request.session && request.namespace && r.namespace && r.namespace !== request.namespace) continue;
    const result = await attempt(`session ${r.id}: remove its local folders`, () =>
      ways.removeLocalLeftovers(r),
    );
    if (!result) continue;
    done.push(...result.done);
    for (const folder of result.left)
      warn(`${folder}, named by the record of session ${r.id}, is not its session folder: left alone`);
  }
  const sessions = await attempt("list the sessions in the cluster", () =>
    ways.listClusterSessions(request.namespace),
  );
  // Without the list, no intercept can be told to be a live session's: none is touched.
  if (!sessions) return { done, failed };
  const undone = sessions.filter((c) => pick(c) || (!request.session && diedHere.has(c.id)));
  for (const s of undone)
    done.push(
      ...((await attempt(`session ${s.id} in ${s.namespace}: undo its cluster changes`, () =>
        ways.cleanupClusterSession(s.namespace, s.id),
      )) ?? []),
    );
  // An intercept's entry goes with its session: one whose session is undone, or has no live
  // record left (its Lease is gone, or not renewed).
  const live = new Set(sessions.filter((s) => s.live).map((s) => `${s.namespace}/${s.id}`));
  const gone = new Set(undone.map((s) => `${s.namespace}/${s.id}`));
  done.push(
    ...((await attempt("remove the intercepts of ended sessions", () =>
      ways.cleanupIntercepts(request.namespace, (i) => {
        const key = `${i.namespace}/${i.session}`;
        return request.session ? i.session === request.session : gone.has(key) || !live.has(key);
      }),
    )) ?? []),
  );
  return { done, failed };
}
