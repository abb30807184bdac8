/**
 * Runs an async task one at a time: a kick while it runs asks for one more run right after, so
 * any number of kicks during a run cost a single extra run.
 */
export class CoalescingRunner {
  private running = false;
  private again = false;
  private stopped = false;

  constructor(
    private readonly task: () => Promise<void>,
    private readonly onError: (e: unknown) => void,
  ) {}

  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void (async () => {
      try {
        do {
          this.again = false;
          try {
            await this.task();
          } catch (e) {
            this.onError(e);
          }
        } while (this.again && !this.stopped);
      } finally {
        this.running = false;
      }
    })();
  }

  stop(): void {
    this.stopped = true;
  }
}
