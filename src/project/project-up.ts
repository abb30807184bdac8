import type { KubeTarget } from "../kube/kube.js";
import type { LocalEngine } from "../docker/local-engine.js";
import type { Reporter } from "../session/reporter.js";
import { ExitCode, isTpError, TpError } from "../errors.js";
import { startDetached } from "./detach.js";
import { findProjectFile } from "./find-project-file.js";
import { loadProject } from "./load-project.js";
import { describePlan, planUp } from "./plan.js";
import { checkHostPortsFree } from "../docker/published-ports.js";
import { buildImage, checkCluster, checkImages } from "./preflight.js";
import { projectKube } from "./project-kube.js";
import { readState, stateProcessAlive, statePaths } from "./project-state.js";
import { runProject } from "./run-project.js";

export interface UpOptions {
  file?: string;
  projectName?: string;
  services: string[];
  profiles: string[];
  build: boolean;
  detach: boolean;
  dryRun: boolean;
  /** Set in the background process that `tp up -d` starts. */
  background: boolean;
  agentImage: string;
  /** tp's arguments for the background `tp up` that `--detach` starts (the CLI knows its flags). */
  backgroundArgs: (project: { file: string; name: string }) => string[];
}

/** tp up: check everything, then run the project here or in the background. Returns the exit code. */
export async function projectUp(
  options: UpOptions,
  global: KubeTarget,
  engine: LocalEngine,
  progress: Reporter,
): Promise<number> {
  const file = findProjectFile(options.file);
  const project = loadProject({ file, ...(options.projectName ? { projectName: options.projectName } : {}) });
  const plan = planUp(project, { services: options.services, profiles: options.profiles });
  const kubeFor = projectKube(global, project);
  const paths = statePaths(project.dir, project.name);

  if (options.dryRun) {
    try {
      await checkImages(engine, project, plan.services, { build: options.build });
    } catch (err) {
      if (!isTpError(err) || err.code !== "docker-unavailable") throw err;
      progress.warn(`images not checked: ${err.message}`);
    }
    try {
      await checkCluster(project, plan.services, kubeFor);
    } catch (err) {
      // A place in the file is an answer; no kubeconfig or no cluster only leaves the check out.
      const unchecked =
        isTpError(err) &&
        (err.code === "cluster-unreachable" || (err.code === "config" && err.exitCode !== ExitCode.Usage));
      if (!unchecked) throw err;
      progress.warn(`the cluster was not checked: ${err.message}`);
    }
    let namespace = global.namespace ?? project.tp.namespace ?? "(the context's namespace)";
    try {
      namespace = kubeFor(undefined).namespace;
    } catch {
      // No kubeconfig: the plan still shows.
    }
    const context = global.context ?? project.tp.context;
    const lines = describePlan(plan, { namespace, ...(context ? { context } : {}) });
    process.stdout.write(lines.join("\n") + "\n");
    return 0;
  }

  const running = readState(paths.state);
  if (!options.background && running && running.pid !== process.pid && stateProcessAlive(running))
    throw new TpError("conflict", `project ${project.name} is already up (tp pid ${running.pid})`, {
      hint: "stop it with `tp down` first",
    });
  const toBuild = await checkImages(engine, project, plan.services, {
    build: options.build && !options.background,
    agentImage: options.agentImage,
  });
  await checkHostPortsFree(
    plan.services.flatMap((s) => s.ports),
    engine.api,
  );
  await checkCluster(project, plan.services, kubeFor);
  for (const s of toBuild) {
    const end = progress.step(`${s.name}: building ${s.image}`);
    await buildImage(engine, s);
    end();
  }

  if (options.detach && !options.background) {
    const args = options.backgroundArgs({ file: project.file, name: project.name });
    return startDetached({ args, cwd: project.dir, statePath: paths.state, logPath: paths.log, progress });
  }
  const context = global.context ?? project.tp.context;
  return runProject(plan, {
    engine,
    kubeFor,
    agentImage: options.agentImage,
    ...(context ? { context } : {}),
    progress,
    statePath: paths.state,
    background: options.background,
  });
}
