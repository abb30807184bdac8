import { execa, type ResultPromise } from "execa";
import { resolve } from "node:path";
import { kubeconfig } from "./cluster.js";

/** The built command, run as a user runs it (its own launcher, not `node FILE`). */
export const tpBin = resolve("dist/cli/tp.js");

export interface TpResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Run the built tp against the test cluster and wait for it to end. */
export async function runTp(
  args: string[],
  options: { timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<TpResult> {
  const started = Date.now();
  const r = await execa(tpBin, args, {
    env: { KUBECONFIG: kubeconfig, ...options.env },
    reject: false,
    timeout: options.timeoutMs ?? 120_000,
    stdin: "ignore",
  });
  return {
    exitCode: r.exitCode ?? 255,
    stdout: String(r.stdout),
    stderr: String(r.stderr),
    ms: Date.now() - started,
  };
}

/** A tp process that runs while the test looks at the cluster. */
export class RunningTp {
  readonly process: ResultPromise;
  stdout = "";
  stderr = "";
  /** stderr with each line's arrival (seconds since the start), to set beside other clocks. */
  stderrTimed = "";
  /** When signal() sent a signal (seconds since the start). */
  signalledAt?: number;
  private readonly waiters = new Set<() => void>();
  readonly started = Date.now();

  constructor(args: string[], env: Record<string, string> = {}) {
    this.process = execa(tpBin, args, {
      env: { KUBECONFIG: kubeconfig, ...env },
      reject: false,
      stdin: "ignore",
      timeout: 300_000,
    });
    this.process.stdout?.on("data", (c: Buffer) => {
      this.stdout += c.toString();
      this.wake();
    });
    this.process.stderr?.on("data", (c: Buffer) => {
      this.stderr += c.toString();
      const at = `${((Date.now() - this.started) / 1000).toFixed(2)} `;
      // A line split across chunks is stamped once, where it began.
      const midLine = this.stderrTimed !== "" && !this.stderrTimed.endsWith("\n");
      this.stderrTimed += c
        .toString()
        .replace(/^(?=.)/gm, (_, offset: number) => (offset === 0 && midLine ? "" : at));
      this.wake();
    });
    void this.process.then(() => this.wake());
  }

  /** Send a signal straight to tp (execa's kill() adds a SIGKILL 5 s after a SIGTERM). */
  signal(signal: NodeJS.Signals): void {
    this.signalledAt = (Date.now() - this.started) / 1000;
    process.kill(this.process.pid as number, signal);
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Wait until stdout (or stderr) matches. */
  waitFor(
    pattern: RegExp,
    timeoutMs = 60_000,
    stream: "stdout" | "stderr" = "stdout",
  ): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const m = this[stream].match(pattern);
        if (m) {
          done();
          resolve(m);
        } else if (this.process.exitCode !== null && this.process.exitCode !== undefined) {
          done();
          reject(
            new Error(
              `tp exited (${this.process.exitCode}) before ${pattern}:\n${this.stdout}\n${this.stderr}`,
            ),
          );
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(`timed out waiting for ${pattern}; stdout:\n${this.stdout}\nstderr:\n${this.stderr}`),
        );
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /**
   * Wait for the tp process itself to end, not for its output to close: after a SIGKILL, the
   * docker CLI it started keeps the pipes open until the container ends.
   */
  processExited(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => this.process.once("exit", () => resolve()));
  }

  async exit(): Promise<number> {
    const r = await this.process;
    return r.exitCode ?? 255;
  }

  /** Stop it for good (tests call this in finally). */
  async kill(): Promise<void> {
    // A process ended by a signal has no exit code, only a signal code.
    if (this.process.exitCode === null && this.process.signalCode === null) {
      this.process.kill("SIGINT");
      const t = setTimeout(() => this.process.kill("SIGKILL"), 20_000);
      await this.processExited();
      clearTimeout(t);
    }
  }
}

/** Kill tp if it still runs, then undo what it left: tp cleanup, and the named container. */
export async function endAndClean(tp: RunningTp, namespace: string, container: string): Promise<void> {
  if (tp.process.exitCode === null || tp.process.exitCode === undefined) tp.process.kill("SIGKILL");
  await tp.processExited();
  await runTp(["cleanup", "-n", namespace]);
  await execa("docker", ["rm", "-f", container], { reject: false });
}
