const initialSeconds = 10;
const maxSeconds = 300;

/**
 * The kubelet's crash-loop back-off per container: the first restart at once, then 10 s doubling
 * up to 5 minutes.
 */
export class RestartBackoff {
  private readonly entries = new Map<string, { until: number; delay: number }>();

  /** Undefined when the container may restart now (the restart is recorded), else the wait. */
  next(name: string, now = Date.now()): { delaySeconds: number; waitMs: number } | undefined {
    const b = this.entries.get(name);
    if (b && now < b.until) return { delaySeconds: b.delay, waitMs: b.until - now };
    const delay = b ? Math.min(b.delay * 2, maxSeconds) : initialSeconds;
    this.entries.set(name, { delay, until: now + delay * 1000 });
    return undefined;
  }
}
