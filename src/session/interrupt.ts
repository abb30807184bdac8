import { ExitCode, TpError } from "../errors.js";

/**
 * SIGINT/SIGTERM during a session: remembered, reported to whoever listens (to stop the user
 * container), and turned into an error that aborts the setup step that is waiting.
 */
export class Interrupt {
  signal: NodeJS.Signals | undefined;
  private readonly listeners: ((s: NodeJS.Signals) => void)[] = [];
  private rejectAll: ((err: TpError) => void)[] = [];
  private readonly leftToChild = new Set<NodeJS.Signals>();
  private repeated: () => void = () => undefined;
  /** Resolves at a signal after the first. */
  private readonly second = new Promise<void>((resolve) => (this.repeated = resolve));
  /** What a signal does (also for tests, which cannot send one to themselves safely). */
  readonly raise = (s: NodeJS.Signals): void => {
    if (this.leftToChild.has(s)) return;
    const first = this.signal === undefined;
    this.signal ??= s;
    if (!first) return this.repeated();
    for (const l of this.listeners) l(s);
    for (const r of this.rejectAll) r(this.error());
  };

  constructor() {
    process.on("SIGINT", this.raise);
    process.on("SIGTERM", this.raise);
    process.on("SIGHUP", this.raise);
  }

  get exitCode(): number {
    return this.signal === "SIGTERM" ? ExitCode.Terminated : ExitCode.Interrupted;
  }

  error(): TpError {
    return new TpError("interrupted", `interrupted by ${this.signal}; the session was undone`, {
      exitCode: this.exitCode,
    });
  }

  /** Call `listener` on a signal; at once if one came already (a listener set late still hears it). */
  onSignal(listener: (s: NodeJS.Signals) => void): void {
    this.listeners.push(listener);
    if (this.signal) listener(this.signal);
  }

  /**
   * From now on `s` is the child's (an interactive shell in the terminal's foreground gets Ctrl-C
   * itself): not taken as a signal to tp, so that a later SIGTERM or SIGHUP still is the first.
   */
  leaveToChild(s: NodeJS.Signals): void {
    this.leftToChild.add(s);
  }

  /** Resolves at a signal after the first (the user insists); at once if one came already. */
  again(): Promise<void> {
    return this.second;
  }

  /** Wait for a promise unless a signal comes first. */
  race<T>(promise: Promise<T>): Promise<T> {
    if (this.signal) return Promise.reject(this.error());
    return new Promise<T>((resolve, reject) => {
      this.rejectAll.push(reject);
      promise
        .then(resolve, reject)
        .finally(() => (this.rejectAll = this.rejectAll.filter((r) => r !== reject)));
    });
  }

  dispose(): void {
    process.off("SIGINT", this.raise);
    process.off("SIGTERM", this.raise);
    process.off("SIGHUP", this.raise);
  }
}
