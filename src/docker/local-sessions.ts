import type Dockerode from "dockerode";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { dockerError } from "./images.js";
import { DockerLabels, volumesFolderLabel } from "../contract/docker-labels.js";
import { socketFolderLabel } from "./socket-folder.js";

/**
 * When a process started (Linux: clock ticks since boot, /proc/PID/stat field 22), so that a
 * process id used again by another process is not taken for the owner; undefined elsewhere.
 */
export function processStartTime(pid: number): string | undefined {
  return procStat(pid)?.[19];
}

/** The process's state letter (Linux: "Z" for a zombie), undefined elsewhere. */
function processState(pid: number): string | undefined {
  return procStat(pid)?.[0];
}

/** Fields 3 and on of /proc/PID/stat (field 2, the command name, may hold spaces). */
function procStat(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/** Labels that say which tp process owns a container, so a dead owner marks it as left over. */
export function ownerLabels(): Record<string, string> {
  const started = processStartTime(process.pid);
  return {
    "dev.tp.host": hostname(),
    "dev.tp.pid": String(process.pid),
    ...(started ? { "dev.tp.pid-started": started } : {}),
  };
}

export interface LocalSession {
  id: string;
  containers: { id: string; name: string; role: string; state: string }[];
  /** "namespace/pod" of its cluster end. */
  remote?: string;
  context?: string;
  /** The host folder of its volumes (label dev.tp.volumes of the sidecar). */
  volumes?: string;
  /** The host folder of its sidecar's sockets (label dev.tp.sockets). */
  sockets?: string;
  /** Its tp process is still running on this host. */
  live: boolean;
}

function processAlive(pid: number, started: string | undefined): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  // Alive, unless it is a zombie or the id now belongs to a process that started later.
  if (processState(pid) === "Z") return false;
  const now = started ? processStartTime(pid) : undefined;
  return !now || now === started;
}

/** tp's containers on this Docker engine, grouped by session. */
export async function listLocalSessions(docker: Dockerode): Promise<LocalSession[]> {
  let list: Dockerode.ContainerInfo[];
  try {
    list = await docker.listContainers({ all: true, filters: { label: [`${DockerLabels.managedBy}=tp`] } });
  } catch (err) {
    throw dockerError("list containers", err);
  }
  const sessions = new Map<string, LocalSession>();
  for (const c of list) {
    const id = c.Labels[DockerLabels.session] ?? "unknown";
    let s = sessions.get(id);
    if (!s) {
      const pid = Number(c.Labels["dev.tp.pid"]);
      const sameHost = c.Labels["dev.tp.host"] === hostname();
      s = {
        id,
        containers: [],
        live: sameHost ? processAlive(pid, c.Labels["dev.tp.pid-started"]) : true,
        remote: c.Labels[DockerLabels.remote],
        context: c.Labels[DockerLabels.context],
      };
      sessions.set(id, s);
    }
    s.volumes ??= c.Labels[volumesFolderLabel];
    s.sockets ??= c.Labels[socketFolderLabel];
    s.containers.push({
      id: c.Id,
      name: (c.Names[0] ?? "").replace(/^\//, ""),
      role: c.Labels[DockerLabels.role] ?? "",
      state: c.State,
    });
  }
  return [...sessions.values()];
}

/** Remove a session's containers; returns their names. */
export async function removeLocalSession(docker: Dockerode, session: LocalSession): Promise<string[]> {
  const removed: string[] = [];
  // The user container first: it lives in the sidecar's namespace.
  const ordered = [...session.containers].sort(
    (a, b) => (a.role === "sidecar" ? 1 : 0) - (b.role === "sidecar" ? 1 : 0),
  );
  for (const c of ordered) {
    await docker
      .getContainer(c.id)
      .remove({ force: true, v: true })
      .then(() => removed.push(c.name))
      .catch((err: { statusCode?: number }) => {
        if (err.statusCode !== 404) throw dockerError(`remove container ${c.name}`, err);
      });
  }
  return removed;
}
