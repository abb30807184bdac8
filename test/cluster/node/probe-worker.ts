import type { V1Probe } from "@kubernetes/client-node";

export type ProbeKind = "readiness" | "liveness" | "startup";

/**
 * Runs one probe of one container periodically and keeps its result with the thresholds of the
 * kubelet's prober worker: the first probe right after initialDelaySeconds, then every periodSeconds;
 * the result flips after successThreshold successes or failureThreshold failures.
 */
export class ProbeWorker {
  /** undefined until the first result (readiness starts as false, liveness as success). */
  result: boolean | undefined;
  private successes = 0;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    readonly kind: ProbeKind,
    private readonly probe: V1Probe,
    /** One probe: its result, or undefined where the probe itself errored. */
    private readonly run: () => Promise<boolean | undefined>,
    private readonly onChange: () => void,
    /** Whether to probe now (startup gates readiness and liveness). */
    private readonly enabled: () => boolean = () => true,
  ) {}

  start(containerStartedAt: number): void {
    const delay = Math.max(0, containerStartedAt + (this.probe.initialDelaySeconds ?? 0) * 1000 - Date.now());
    this.timer = setTimeout(() => void this.tick(), delay);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    if (this.enabled()) {
      // An errored probe is tried again at once, up to 3 times (the kubelet's maxProbeRetries);
      // one that errors every time leaves the result as it was ("Prober error, throw away the
      // result").
      let ok: boolean | undefined;
      for (let i = 0; i < 3 && ok === undefined && !this.stopped; i++) ok = await this.run();
      if (this.stopped) return;
      if (ok !== undefined) this.record(ok);
    }
    this.timer = setTimeout(() => void this.tick(), (this.probe.periodSeconds ?? 10) * 1000);
  }

  private record(ok: boolean): void {
    const before = this.result;
    if (ok) {
      this.failures = 0;
      this.successes++;
      const need = this.kind === "readiness" ? (this.probe.successThreshold ?? 1) : 1;
      if (this.successes >= need) this.result = true;
    } else {
      this.successes = 0;
      this.failures++;
      if (
        this.failures >= (this.probe.failureThreshold ?? 3) ||
        (this.kind === "readiness" && before === undefined)
      ) {
        this.result = false;
      }
    }
    if (before !== this.result) this.onChange();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
