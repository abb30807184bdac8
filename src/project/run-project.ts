import type { LocalEngine } from "../docker/local-engine.js";
import { processStartTime } from "../process-alive.js";
import type { Kube } from "../kube/kube.js";
import type { Reporter } from "../session/reporter.js";
import { Interrupt } from "../session/interrupt.js";
import type { ProjectPlan } from "./plan.js";
import { ProjectRunner } from "./project-runner.js";
import { removeState, writeState, type ProjectState } from "./project-state.js";

export interface RunProjectOptions {
  engine: LocalEngine;
  kubeFor: (namespace: string | undefined) => Kube;
  agentImage: string;
  context?: string;
  progress: Reporter;
  /** The state file that `tp ps` and `tp down` read. */
  statePath: string;
  /** In the background (`tp up -d`): keep running until SIGTERM, even when every container has exited. */
  background: boolean;
}

/**
 * Run a project until its containers have all exited (foreground), a signal, or a lost session;
 * everything is stopped and every Deployment restored before this returns. Returns the exit code.
 */
export async function runProject(plan: ProjectPlan, options: RunProjectOptions): Promise<number> {
  const interrupt = new Interrupt();
  const started = processStartTime(process.pid);
  const state: ProjectState = {
    project: plan.project.name,
    file: plan.project.file,
    pid: process.pid,
    ...(started ? { pidStarted: started } : {}),
    status: "starting",
    startedAt: new Date().toISOString(),
    services: [],
  };
  const save = (patch: Partial<ProjectState>) => writeState(options.statePath, Object.assign(state, patch));
  save({});
  const runner = new ProjectRunner(plan, {
    kubeFor: options.kubeFor,
    engine: options.engine,
    agentImage: options.agentImage,
    ...(options.context ? { context: options.context } : {}),
    progress: options.progress,
    logs: process.stdout,
    color: process.stdout.isTTY === true,
    interrupt,
    onChange: (services) => save({ services }),
  });
  let failure: unknown;
  try {
    await runner.start();
    save({ status: "up" });
    options.progress.info(
      `${plan.project.name} is up: ${plan.services.map((s) => s.name).join(", ")}` +
        (options.background ? "" : " (Ctrl-C stops everything)"),
    );
    await interrupt.race(options.background ? runner.lost() : runner.allExited());
    return 0;
  } catch (err) {
    if (interrupt.signal) return interrupt.exitCode;
    failure = err;
    throw err;
  } finally {
    save({ status: "stopping" });
    await runner.stop();
    interrupt.dispose();
    if (failure !== undefined && options.background)
      save({ status: "failed", error: (failure as Error).message ?? String(failure) });
    else removeState(options.statePath);
  }
}
