import type Dockerode from "dockerode";
import type { LocalEngine } from "../docker/local-engine.js";
import { loadKube, type KubeTarget } from "../kube/kube.js";
import { cleanupClusterSession } from "../cluster/sessions.js";
import type { Reporter } from "../session/reporter.js";
import { dockerError } from "../docker/docker-error.js";
import { DockerLabels } from "../contract/docker-labels.js";
import { TpError } from "../errors.js";
import { waitFor } from "../wait.js";
import { projectIdentity } from "./project-identity.js";
import { projectFilter } from "./project-labels.js";
import { removeProjectNetworks } from "./project-network.js";
import { processAlive } from "../process-alive.js";
import { readState, removeState, stateProcessAlive, statePaths, type ProjectState } from "./project-state.js";

/** How long `tp down` waits for a running `tp up` to undo its sessions. */
export const stopTimeoutMs = 120_000;

/**
 * tp down: stop the project's `tp up` (it restores its Deployments), then remove whatever is
 * left: sessions of a crashed run (found through its containers' labels), containers, network.
 */
export async function projectDown(
  options: { file?: string; projectName?: string },
  global: KubeTarget,
  engine: LocalEngine,
  progress: Reporter,
): Promise<string[]> {
  const project = projectIdentity(options.file, options.projectName);
  const paths = statePaths(project.dir, project.name);
  const done: string[] = [];
  const state = readState(paths.state);
  const upAlive = (s: ProjectState | undefined): s is ProjectState =>
    s !== undefined && s.pid !== process.pid && stateProcessAlive(s);
  if (upAlive(state)) {
    const end = progress.step(`stopping ${project.name} (tp pid ${state.pid}) and restoring the cluster`);
    process.kill(state.pid, "SIGTERM");
    await waitFor(`tp pid ${state.pid} to stop`, async () => (stateProcessAlive(state) ? undefined : true), {
      timeoutMs: stopTimeoutMs,
      intervalMs: 200,
    });
    end(`${project.name} stopped`);
    done.push(`tp up (pid ${state.pid}) stopped`);
  }

  let containers: Dockerode.ContainerInfo[];
  try {
    containers = await engine.api.listContainers({ all: true, filters: projectFilter(project.name) });
  } catch (err) {
    throw dockerError("list containers", err);
  }
  // Sessions whose tp process is gone: undo their cluster side as `tp cleanup` would.
  const sessions = new Map<string, { remote: string; context?: string }>();
  for (const c of containers) {
    const id = c.Labels[DockerLabels.session];
    const remote = c.Labels[DockerLabels.remote];
    const pid = Number(c.Labels["dev.tp.pid"]);
    if (id && remote && !(pid && processAlive(pid, c.Labels["dev.tp.pid-started"])))
      sessions.set(id, {
        remote,
        ...(c.Labels[DockerLabels.context] ? { context: c.Labels[DockerLabels.context] } : {}),
      });
  }
  for (const [id, s] of sessions) {
    const namespace = s.remote.split("/")[0] as string;
    const context = s.context ?? global.context;
    try {
      const kube = loadKube({
        ...(global.kubeconfig ? { kubeconfig: global.kubeconfig } : {}),
        ...(context ? { context } : {}),
        namespace,
      });
      done.push(...(await cleanupClusterSession(kube, namespace, id)));
    } catch (err) {
      progress.warn(
        `could not undo session ${id} in ${namespace}: ${(err as Error).message}; its warden restores it, or run \`tp cleanup\``,
      );
    }
  }
  // User containers first: they live in their sidecars' network namespaces.
  const ordered = [...containers].sort(
    (a, b) =>
      (a.Labels[DockerLabels.role] === "sidecar" ? 1 : 0) -
      (b.Labels[DockerLabels.role] === "sidecar" ? 1 : 0),
  );
  for (const c of ordered) {
    const name = (c.Names[0] ?? c.Id).replace(/^\//, "");
    if (await engine.removeContainer(name, { [DockerLabels.managedBy]: "tp" }))
      done.push(`container ${name} removed`);
  }
  for (const n of await removeProjectNetworks(engine.api, project.name)) done.push(`network ${n} removed`);
  removeState(paths.state);
  if (upAlive(state)) throw new TpError("timeout", `tp pid ${state.pid} is still running`);
  return done;
}
