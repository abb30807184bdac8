import type Dockerode from "dockerode";
import { dockerError } from "./docker-error.js";
import { forceRemove } from "./local-engine.js";
import { currentOwner, ownerAlive } from "../process-alive.js";
import { DockerLabels, volumesFolderLabel } from "../contract/docker-labels.js";
import { socketFolderLabel } from "./socket-folder.js";

/** Labels that say which tp process owns a container, so a dead owner marks it as left over. */
export function ownerLabels(): Record<string, string> {
  const { host, pid, started } = currentOwner();
  return {
    "dev.tp.host": host,
    "dev.tp.pid": String(pid),
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
      s = {
        id,
        containers: [],
        live: ownerAlive({
          host: c.Labels["dev.tp.host"],
          pid: Number(c.Labels["dev.tp.pid"]),
          started: c.Labels["dev.tp.pid-started"],
        }),
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
    if (await forceRemove(docker.getContainer(c.id), c.name)) removed.push(c.name);
  }
  return removed;
}
