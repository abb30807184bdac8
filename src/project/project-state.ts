import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { processAlive } from "../process-alive.js";

/** What a running `tp up` records in the project's state folder (.tp/ beside the file). */
export interface ProjectState {
  project: string;
  file: string;
  pid: number;
  /** When that process started (processStartTime), so that a reused pid is not taken for it. */
  pidStarted?: string;
  status: "starting" | "up" | "failed" | "stopping" | "stopped";
  startedAt: string;
  error?: string;
  services: {
    name: string;
    kind: string;
    container: string;
    address: string;
    session?: string;
    sidecar?: string;
    namespace?: string;
  }[];
}

export function stateDir(projectDir: string): string {
  return join(projectDir, ".tp");
}

export function statePaths(projectDir: string, project: string): { state: string; log: string } {
  const dir = stateDir(projectDir);
  return { state: join(dir, `${project}.json`), log: join(dir, `${project}.log`) };
}

export function readState(file: string): ProjectState | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as ProjectState;
  } catch {
    return undefined;
  }
}

/** Write atomically, so a reader never sees half a file. */
export function writeState(file: string, state: ProjectState): void {
  mkdirSync(join(file, ".."), { recursive: true });
  const dir = join(file, "..");
  if (!existsSync(join(dir, ".gitignore"))) writeFileSync(join(dir, ".gitignore"), "*\n");
  writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 2) + "\n");
  renameSync(`${file}.tmp`, file);
}

export function removeState(file: string): void {
  rmSync(file, { force: true });
}

/** Whether the `tp up` that wrote the state still runs (not another process with its id). */
export function stateProcessAlive(state: Pick<ProjectState, "pid" | "pidStarted">): boolean {
  return processAlive(state.pid, state.pidStarted);
}
