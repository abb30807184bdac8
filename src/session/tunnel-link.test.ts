import { Duplex } from "node:stream";
import { describe, expect, it, vi } from "vitest";
import { ManualClock, type Clock } from "../clock.js";
import type { SidecarStatus } from "../contract/sidecar-status.js";
import type { Reporter } from "./reporter.js";
import { reconnectDelayMs, TunnelLink, type SidecarStatusLines } from "./tunnel-link.js";
import type { TunnelEnds } from "./tunnel-ends.js";

/** The sidecar's status lines: "tunnel-up" each time a new pipe carries the agent's first bytes. */
class FakeSidecar implements SidecarStatusLines {
  lines: SidecarStatus["event"][] = [];
  private wake = new Set<() => void>();

  constructor(private readonly clock: Clock) {}

  get count(): number {
    return this.lines.length;
  }

  push(event: SidecarStatus["event"]): void {
    this.lines.push(event);
    for (const w of this.wake) w();
  }

  async waitFor(event: SidecarStatus["event"], timeoutMs: number, after = 0): Promise<SidecarStatus> {
    const expired = new AbortController();
    const timeout = this.clock.sleep(timeoutMs, { signal: expired.signal }).then(() => "timeout" as const);
    for (;;) {
      if (this.lines.slice(after).includes(event)) {
        expired.abort();
        return { event } as SidecarStatus;
      }
      let woken = () => undefined as void;
      const seen = new Promise<"seen">((r) => (woken = () => r("seen")));
      this.wake.add(woken);
      const what = await Promise.race([seen, timeout]);
      this.wake.delete(woken);
      if (what === "timeout") throw new Error(`no ${event} within ${timeoutMs} ms`);
    }
  }

  /** The newest pipe into the sidecar. */
  last: Duplex | undefined;

  /** A new pipe into the sidecar: the agent's first bytes through it bring the tunnel up. */
  pipe(): Duplex {
    let up = false;
    return (this.last = new Duplex({
      read() {},
      write: (_chunk, _encoding, callback) => {
        if (!up) this.push("tunnel-up");
        up = true;
        callback();
      },
    }));
  }
}

/** Port-forwards whose agent answers at once, or that fail while `failing` is set. */
class FakeEnds implements TunnelEnds {
  failing = false;
  attempts: number[] = [];
  current: Duplex | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly sidecar: FakeSidecar,
  ) {}

  async portForward(): Promise<Duplex> {
    this.attempts.push(this.clock.now());
    if (this.failing) throw new Error('pods "proxy" not found');
    const pf = new Duplex({ read() {}, write: (_c, _e, callback) => callback() });
    pf.push(Buffer.from("SETTINGS"));
    this.current = pf;
    return pf;
  }

  async sidecarPipe(): Promise<Duplex> {
    return this.sidecar.pipe();
  }

  /** Set when the proxy pod is gone for good. */
  gone: string | undefined;

  async proxyGone(): Promise<string | undefined> {
    return this.gone;
  }
}

function recorder(): Reporter & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    debug: () => undefined,
    step: () => () => undefined,
    info: (t) => lines.push(`info: ${t}`),
    warn: (t) => lines.push(`warn: ${t}`),
  };
}

async function upLink(giveUpMs = 60_000, trimMemory?: () => unknown) {
  const clock = new ManualClock();
  const sidecar = new FakeSidecar(clock);
  const ends = new FakeEnds(clock, sidecar);
  const progress = recorder();
  const link = new TunnelLink(ends, { namespace: "ns", pod: "proxy" }, sidecar, progress, {
    clock,
    giveUpMs,
    trimMemory,
  });
  await link.prepare();
  await link.start(30_000);
  expect(sidecar.lines).toEqual(["tunnel-up"]);
  return { clock, sidecar, ends, progress, link };
}

describe("TunnelLink", () => {
  it("does not start a session on a proxy pod that is being deleted, though its agent still answers", async () => {
    const clock = new ManualClock();
    const sidecar = new FakeSidecar(clock);
    const ends = new FakeEnds(clock, sidecar);
    ends.gone = "the proxy pod ns/proxy is being deleted";
    const link = new TunnelLink(ends, { namespace: "ns", pod: "proxy" }, sidecar, recorder(), { clock });
    await link.prepare();
    await expect(link.start(30_000)).rejects.toThrow("the proxy pod ns/proxy is being deleted");
    expect(ends.attempts).toHaveLength(1);
    await link.stop();
  });

  it("neither warns nor reconnects when the sidecar tp stops (its last round of volumes) closes the pipe", async () => {
    const { clock, sidecar, ends, progress, link } = await upLink();
    ends.attempts = [];
    (sidecar as FakeSidecar & { stopping: boolean }).stopping = true;
    ends.current?.destroy();
    await clock.advance(3_000);
    expect(progress.lines).toEqual([]);
    expect(ends.attempts).toEqual([]);
    await link.stop();
  });

  it("waits 250 ms, 500 ms, 1 s, then 2 s between failed reconnections, and reconnects", async () => {
    const { clock, sidecar, ends, progress, link } = await upLink();
    ends.failing = true;
    ends.attempts = [];
    const dropped = clock.now();
    ends.current?.destroy();
    await clock.advance(0);
    expect(progress.lines).toEqual(["warn: the tunnel to the cluster dropped; reconnecting"]);
    await clock.advance(8_000);
    expect(ends.attempts.map((t) => t - dropped)).toEqual([0, 250, 750, 1_750, 3_750, 5_750, 7_750]);
    ends.failing = false;
    // The next attempt, 2 s after the one at 7.75 s, succeeds.
    await clock.advance(1_749);
    expect(ends.attempts).toHaveLength(7);
    await clock.advance(1);
    expect(ends.attempts).toHaveLength(8);
    expect(progress.lines.at(-1)).toBe("info: tunnel reconnected");
    expect(sidecar.lines).toEqual(["tunnel-up", "tunnel-up"]);
    await link.stop();
  });

  it("gives up after failing to reconnect for giveUpMs", async () => {
    const { clock, ends, link } = await upLink(60_000);
    let failure: Error | undefined;
    link.failed.catch((err: Error) => (failure = err));
    ends.failing = true;
    ends.current?.destroy();
    // Attempts at 57.75 s and 59.75 s are within the minute; the one at 61.75 s is not.
    await clock.advance(60_000);
    expect(failure).toBeUndefined();
    await clock.advance(2_000);
    expect(failure?.message).toMatch(/the tunnel to ns\/proxy is lost: pods "proxy" not found/);
    expect(clock.sleeping).toBe(0);
  });

  it("stops reconnecting when stopped", async () => {
    const { clock, ends, link } = await upLink();
    ends.failing = true;
    ends.current?.destroy();
    await clock.advance(300);
    const made = ends.attempts.length;
    await link.stop();
    await clock.advance(10_000);
    expect(ends.attempts).toHaveLength(made);
    expect(clock.sleeping).toBe(0);
  });

  it("doubles the wait from 250 ms up to 2 s", () => {
    expect([0, 1, 2, 3, 4, 10].map(reconnectDelayMs)).toEqual([250, 500, 1_000, 2_000, 2_000, 2_000]);
  });

  it("ends at once, naming it, when the proxy pod is gone: no reconnecting to a deleted pod", async () => {
    const { clock, ends, progress, link } = await upLink(60_000);
    let failure: Error | undefined;
    link.failed.catch((err: Error) => (failure = err));
    ends.gone = "the proxy pod ns/proxy was deleted";
    ends.attempts = [];
    ends.current?.destroy();
    await clock.advance(0);
    expect(failure?.message).toBe("the proxy pod ns/proxy was deleted");
    expect(ends.attempts).toEqual([]);
    expect(progress.lines).toEqual([]);
  });

  it("counts the bytes it carries both ways, and trims the C heap once a burst is over", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    try {
      const trim = vi.fn();
      const { sidecar, ends, link } = await upLink(60_000, trim);
      const settled = () => new Promise((r) => setImmediate(r));
      await settled();
      expect(link.bytesMoved).toBe("SETTINGS".length);
      ends.current?.push(Buffer.alloc(3 * 1024 * 1024));
      sidecar.last?.push(Buffer.alloc(2 * 1024 * 1024));
      await settled();
      expect(link.bytesMoved).toBe("SETTINGS".length + 5 * 1024 * 1024);
      // The interval that saw the burst does not trim; the first quiet one does.
      vi.advanceTimersByTime(250);
      expect(trim).not.toHaveBeenCalled();
      vi.advanceTimersByTime(250);
      expect(trim).toHaveBeenCalledTimes(1);
      await link.stop();
      ends.current?.push(Buffer.alloc(5 * 1024 * 1024));
      await settled();
      vi.advanceTimersByTime(1_000);
      expect(trim).toHaveBeenCalledTimes(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
