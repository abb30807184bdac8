import { LineSplitter } from "../line-splitter.js";
import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readSync } from "node:fs";
import { dirname } from "node:path";
import type { Reporter } from "../session/reporter.js";
import { Interrupt } from "../session/interrupt.js";
import { TpError } from "../errors.js";
import { displayName } from "./project-file-error.js";
import { processAlive } from "../process-alive.js";
import { waitFor } from "../wait.js";
import { readState, removeState } from "./project-state.js";

export interface DetachOptions {
  /** tp's arguments for the background `tp up` (without -d). */
  args: string[];
  cwd: string;
  statePath: string;
  logPath: string;
  progress: Reporter;
  timeoutMs?: number;
}

/** Progress lines in the background log (not the services' `name | ` lines). */
function progressLine(line: string): boolean {
  // eslint-disable-next-line no-control-regex
  const plain = line.replace(/\u001b\[[0-9;]*m/g, "");
  // ✔ ✖ ⚠ as escapes: the CLI bundle stays ASCII (see scripts/build.mjs).
  return /^(tp: |\u2714 |\u2716 |\u26a0 |- )/.test(plain);
}

/**
 * `tp up -d`: start `tp up` again as a background process (it carries the tunnels), show its
 * progress, and return once it reports the project up; its output goes to the log file.
 */
export async function startDetached(options: DetachOptions): Promise<number> {
  mkdirSync(dirname(options.logPath), { recursive: true });
  removeState(options.statePath);
  const log = openSync(options.logPath, "w");
  // With this process's Node flags (the launcher's), and `--` so that Node reads none of tp's.
  const child = spawn(
    process.execPath,
    [...process.execArgv, "--", process.argv[1] as string, ...options.args],
    {
      cwd: options.cwd,
      detached: true,
      stdio: ["ignore", log, log],
      env: process.env,
    },
  );
  closeSync(log);
  child.unref();
  let exitCode: number | null = null;
  child.on("exit", (code) => (exitCode = code ?? 255));
  const interrupt = new Interrupt();
  interrupt.onSignal(() => child.kill("SIGTERM"));
  const reader = openSync(options.logPath, "r");
  let offset = 0;
  const lines = new LineSplitter(64 * 1024);
  const echo = () => {
    const buf = Buffer.alloc(65536);
    let n: number;
    while ((n = readSync(reader, buf, 0, buf.length, offset)) > 0) {
      offset += n;
      for (const l of lines.push(buf.subarray(0, n).toString("utf8")))
        if (progressLine(l)) process.stderr.write(l + "\n");
    }
  };
  const hint = `see ${displayName(options.logPath)}`;
  try {
    const outcome = await waitFor(
      "the project to come up",
      async () => {
        echo();
        const state = readState(options.statePath);
        if (state?.status === "up") return "up";
        if (exitCode !== null || state?.status === "failed") return "failed";
        return undefined;
      },
      { timeoutMs: options.timeoutMs ?? 600_000, intervalMs: 200, hint },
    ).catch((err: unknown) => {
      child.kill("SIGTERM");
      throw err;
    });
    if (outcome === "up") {
      options.progress.info(
        `running in the background (pid ${child.pid}); logs: ${displayName(options.logPath)}; stop with \`tp down\``,
      );
      return 0;
    }
    // The child is unref'd: wait for it with a timer, which keeps this process alive.
    const pid = child.pid;
    if (pid !== undefined)
      await waitFor(
        `the background tp up (pid ${pid}) to exit`,
        async () => (exitCode === null && processAlive(pid) ? undefined : true),
        { timeoutMs: 120_000, intervalMs: 200, hint },
      );
    echo();
    if (interrupt.signal) return interrupt.exitCode;
    const last = readState(options.statePath);
    removeState(options.statePath);
    throw new TpError(
      "docker-error",
      last?.error ?? `the background tp up exited (${exitCode}) before the project was up`,
      { hint },
    );
  } finally {
    closeSync(reader);
    interrupt.dispose();
  }
}
