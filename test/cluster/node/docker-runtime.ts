import type Docker from "dockerode";
import type { ContainerInspectInfo } from "dockerode";
import { labels, type ContainerRole } from "./labels.js";

/** One Docker container of a pod, as the kubelet sees it. */
export interface PodContainer {
  id: string;
  name: string;
  role: ContainerRole;
  attempt: number;
  info: ContainerInspectInfo;
}

/** Every container of the cluster's pods (all pods, or one pod by uid), inspected. */
export async function listPodContainers(docker: Docker, uid?: string): Promise<PodContainer[]> {
  const filters = { label: [`${labels.cluster}=1`, uid ? `${labels.podUid}=${uid}` : labels.podUid] };
  const list = await docker.listContainers({ all: true, filters: JSON.stringify(filters) });
  const out: PodContainer[] = [];
  await Promise.all(
    list.map(async (c) => {
      try {
        const info = await docker.getContainer(c.Id).inspect();
        out.push({
          id: c.Id,
          name: c.Labels[labels.container] ?? "",
          role: (c.Labels[labels.role] ?? "app") as ContainerRole,
          attempt: Number(c.Labels[labels.attempt] ?? 0),
          info,
        });
      } catch {
        // removed meanwhile
      }
    }),
  );
  return out.sort((a, b) => a.attempt - b.attempt);
}

/** The id of a local image, or undefined when it is not there (this node never pulls). */
export async function removeContainer(docker: Docker, id: string): Promise<void> {
  try {
    await docker.getContainer(id).remove({ force: true, v: true });
  } catch {
    // already gone
  }
}

/** Stops a container: its stop signal, then SIGKILL after `graceSeconds` (like docker stop). */
export async function stopContainer(docker: Docker, id: string, graceSeconds: number): Promise<void> {
  try {
    await docker.getContainer(id).stop({ t: Math.max(0, Math.round(graceSeconds)) });
  } catch {
    // not running or gone
  }
}

/** Keeps the current and the previous container of each pod container (for `logs --previous`); removes older ones. */
export async function pruneContainers(docker: Docker, all: PodContainer[]): Promise<void> {
  const byName = new Map<string, PodContainer[]>();
  for (const c of all.filter((c) => c.role === "app" || c.role === "init")) {
    const key = `${c.role}/${c.name}`;
    byName.set(key, [...(byName.get(key) ?? []), c]);
  }
  for (const list of byName.values()) {
    for (const old of list.slice(0, -2)) await removeContainer(docker, old.id);
  }
}
