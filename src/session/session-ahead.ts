import type { RemoteEnd } from "../kube/remote-end.js";
import type { StartedSidecar } from "../docker/sidecar.js";
import type { UserContainerOptions } from "../docker/user-container.js";
import type { Reporter } from "./reporter.js";
import type { SessionVolumes } from "./session-volumes.js";

/** What a session knows before its tunnel is up: enough to make the user's container ahead. */
export interface SessionAhead {
  /** The user container's env, as StartedSession.env will be if the agent agrees. */
  env: Record<string, string>;
  /** The sidecar, whose network namespace the user container joins. */
  sidecar: string;
  labels: Record<string, string>;
  /** The pod's volumes (the first copy not made yet: mount them with `planned`). */
  volumes?: SessionVolumes;
  /**
   * The session's private folder on this machine (the socket folder), where the engine's containers
   * see it as the same files: the CLI reached the sidecar's socket there.
   */
  localFolder?: string;
}

/**
 * The user container's env: the pod's, and what tells the program where it runs (`planned`: with
 * all the pod's volumes, before the first copy says which were copied).
 */
export function userEnv(
  podEnv: Record<string, string>,
  remote: RemoteEnd,
  volumes: Pick<SessionVolumes, "env"> | undefined,
  planned = false,
) {
  return {
    ...podEnv,
    TELEPRESENCE_POD: remote.pod,
    TELEPRESENCE_CONTAINER: remote.container,
    ...volumes?.env(planned),
    TELEPRESENCE_METHOD: "container",
  };
}

/**
 * What the session knows ahead, once the pod's env is known from the API and the sidecar runs;
 * undefined when the env is not known ahead or the local side fails to start.
 */
export async function whenKnownAhead(
  podEnv: Promise<Record<string, string> | undefined>,
  local: Promise<{
    sidecar: StartedSidecar;
    labels: Record<string, string>;
    volumes?: SessionVolumes;
    sockets?: { path: string; shared: boolean };
  }>,
  remote: RemoteEnd,
  progress: Pick<Reporter, "debug">,
): Promise<SessionAhead | undefined> {
  try {
    const [env, l] = await Promise.all([podEnv, local]);
    if (!env) return undefined;
    progress.debug("pod env resolved ahead");
    return {
      env: userEnv(env, remote, l.volumes, true),
      sidecar: l.sidecar.name,
      labels: l.labels,
      volumes: l.volumes,
      ...(l.sockets?.shared && process.platform === "linux" ? { localFolder: l.sockets.path } : {}),
    };
  } catch {
    return undefined;
  }
}

/**
 * What differs between the container made ahead and the one the session asks for: env variables
 * (by name: values may be secret), mounts; undefined when nothing does.
 */
export function aheadDifferences(ahead: UserContainerOptions, now: UserContainerOptions): string | undefined {
  const names = Object.keys({ ...ahead.env, ...now.env }).filter(
    (k) => !Object.hasOwn(ahead.env, k) || !Object.hasOwn(now.env, k) || ahead.env[k] !== now.env[k],
  );
  const found = [
    ...(names.length ? [`env ${names.join(", ")}`] : []),
    ...(ahead.mounts.join("\n") !== now.mounts.join("\n") ? ["mounts"] : []),
    ...(ahead.sidecar !== now.sidecar || JSON.stringify(ahead.labels) !== JSON.stringify(now.labels)
      ? ["sidecar or labels"]
      : []),
  ];
  return found.length ? found.join("; ") : undefined;
}
