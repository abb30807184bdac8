/**
 * Time, for code whose behaviour depends on it (lease renewal, expiry, reconnect backoff): passed
 * in, so that unit tests drive it with a {@link ManualClock} instead of sleeping. Modelled on
 * testcontainers' `common/clock.ts`.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * Resolves after `ms`, or at once when `signal` aborts (it never rejects). `unref`: the wait
   * does not keep the process alive.
   */
  sleep(ms: number, options?: SleepOptions): Promise<void>;
}

export interface SleepOptions {
  signal?: AbortSignal;
  unref?: boolean;
}

/** The machine's clock and timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, { signal, unref } = {}) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      if (unref) timer.unref();
      signal?.addEventListener("abort", done, { once: true });
    }),
};

interface Sleeper {
  at: number;
  seq: number;
  wake: () => void;
}

/**
 * A clock for tests: time stands still until {@link advance} moves it, waking the sleepers that
 * are due, earliest first, and letting what each one starts run before the next is woken.
 */
export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  #sleepers: Sleeper[] = [];

  constructor(start = 1_700_000_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number, { signal }: SleepOptions = {}): Promise<void> {
    return new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const sleeper: Sleeper = {
        at: this.#now + Math.max(0, ms),
        seq: this.#seq++,
        wake: () => {
          this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
          signal?.removeEventListener("abort", sleeper.wake);
          resolve();
        },
      };
      this.#sleepers.push(sleeper);
      signal?.addEventListener("abort", sleeper.wake, { once: true });
    });
  }

  /** How many sleeps are waiting. */
  get sleeping(): number {
    return this.#sleepers.length;
  }

  /** Move time forward by `ms`, waking every sleeper due on the way, in order. */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    for (;;) {
      await settle();
      const next = this.#sleepers.filter((s) => s.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!next) break;
      this.#now = Math.max(this.#now, next.at);
      next.wake();
    }
    this.#now = end;
    await settle();
  }
}

/** Let pending promise callbacks (and what they chain) run. */
async function settle(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
}
