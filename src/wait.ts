import { TimeoutError } from "./errors.js";

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  hint?: string;
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
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() + interval > deadline) {
      throw new TimeoutError(`timed out after ${options.timeoutMs / 1000} s waiting for ${what}`, {
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
