import { TimeoutError } from "./errors.js";

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  hint?: string;
  /** An error thrown by `check` means "not yet" (the last one is named on timeout), not failure. */
  retryErrors?: boolean;
}

/**
 * The one polling helper: call `check` until it returns a value (not undefined) or throws, and
 * fail with a timeout that names what was waited for.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  options: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 250;
  let last: unknown;
  for (;;) {
    let value: T | undefined;
    try {
      value = await check();
    } catch (err) {
      if (!options.retryErrors) throw err;
      last = err;
    }
    if (value !== undefined) return value;
    if (Date.now() + interval > deadline) {
      const why = last === undefined ? "" : ` (last error: ${(last as Error).message ?? String(last)})`;
      throw new TimeoutError(`timed out after ${options.timeoutMs / 1000} s waiting for ${what}${why}`, {
        hint: options.hint,
      });
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Wait `ms`, or less once `wake` settles (a sign that waiting longer is pointless). */
export function pause(ms: number, wake?: Promise<unknown>): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    wake?.then(
      () => (clearTimeout(timer), resolve()),
      () => undefined,
    );
  });
}
