/** Keys to reconcile, deduplicated; a failed key is retried after a delay. */
export class WorkQueue {
  private readonly pending = new Set<string>();
  private scheduled = false;
  private readonly retries = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly name: string,
    private readonly sync: (key: string) => void,
  ) {}

  add(key: string): void {
    this.pending.add(key);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.run());
    }
  }

  addAfter(key: string, ms: number): void {
    if (this.retries.has(key)) return;
    this.retries.set(
      key,
      setTimeout(() => {
        this.retries.delete(key);
        this.add(key);
      }, ms),
    );
  }

  private run(): void {
    this.scheduled = false;
    const keys = [...this.pending];
    this.pending.clear();
    for (const k of keys) {
      try {
        this.sync(k);
      } catch (err) {
        console.error(`${this.name}: sync ${k} failed: ${err instanceof Error ? err.message : String(err)}`);
        this.addAfter(k, 1000);
      }
    }
  }

  stop(): void {
    for (const t of this.retries.values()) clearTimeout(t);
    this.retries.clear();
  }
}

export function nsKey(ns: string | undefined, name: string): string {
  return `${ns ?? ""}/${name}`;
}

export function splitKey(key: string): [string, string] {
  const i = key.indexOf("/");
  return [key.slice(0, i), key.slice(i + 1)];
}
