import type { Duplex } from "node:stream";
import type { RemoteEnd } from "../kube/remote-end.js";
import type { StartedSidecar } from "../docker/sidecar.js";
import { TpError } from "../errors.js";
import { pipeDuplexes, trimAfterTraffic } from "../tunnel/index.js";
import type { Reporter } from "./reporter.js";
import { systemClock, type Clock } from "../clock.js";
import type { TunnelEnds } from "./tunnel-ends.js";
import { proxyGoneError } from "../cluster/proxy-gone.js";

/** The tunnel came up to a proxy pod that is going: not an attempt to make again. */
class ProxyGoing extends Error {
  constructor(readonly error: TpError) {
    super(error.message);
  }
}

/** What the link needs of the sidecar: its status lines. */
export type SidecarStatusLines = Pick<StartedSidecar, "count" | "waitFor"> &
  Partial<Pick<StartedSidecar, "stopping">>;

export interface TunnelLinkOptions {
  /** How long reconnecting may fail before the session gives up. */
  giveUpMs?: number;
  clock?: Clock;
  /**
   * Return the C heap's free pages to the system (see trimAfterTraffic): called once a burst of
   * traffic through the link is over.
   */
  trimMemory?: () => unknown;
}

/** How long a new port-forward may stay silent before the attempt is given up. */
const agentAnswerMs = 1_000;

/**
 * A port-forward whose agent has spoken: its HTTP/2 server sends SETTINGS as soon as it accepts
 * a connection. Only then is the pipe into the sidecar joined to it, so that a port-forward that
 * fails (the agent not listening yet) or stays silent leaves the pipe unused for the next try.
 */
async function agentSpoke(pf: Duplex, clock: Clock, giveUp?: Promise<unknown>): Promise<Duplex> {
  try {
    const first = await new Promise<Buffer>((resolve, reject) => {
      // The kubelet's error and close may come in the same read as the handshake.
      if (pf.destroyed)
        return reject(pf.errored ?? new Error("the port-forward closed before the agent answered"));
      const timer = new AbortController();
      void clock
        .sleep(agentAnswerMs, { signal: timer.signal })
        .then(() => done(new Error(`no answer within ${agentAnswerMs} ms`)));
      giveUp?.then(
        () => done(new Error("no answer, though the agent listens by now")),
        () => undefined,
      );
      const readable = () => {
        const chunk = pf.read() as Buffer | null;
        if (chunk) done(undefined, chunk);
      };
      const ended = () => done(new Error("the port-forward closed before the agent answered"));
      const done = (err?: Error, chunk?: Buffer) => {
        if (timer.signal.aborted) return;
        timer.abort();
        pf.off("readable", readable);
        pf.off("end", ended);
        pf.off("close", ended);
        pf.off("error", done);
        if (err) reject(err);
        else resolve(chunk as Buffer);
      };
      pf.on("readable", readable);
      pf.once("end", ended);
      pf.once("close", ended);
      pf.once("error", done);
    });
    pf.unshift(first);
    return pf;
  } catch (err) {
    pf.destroy();
    throw err;
  }
}

/** One carried transport: ends when either side does; close() ends it. */
interface Transport {
  done: Promise<void>;
  close(): void;
}

/**
 * The CLI's part of the tunnel: it holds the port-forward (with the user's credentials) and
 * pipes it into the sidecar: straight into its tunnel socket when the session's socket folder
 * allows (SocketFolder), else through `docker exec tp-agent pipe` (see {@link tunnelEnds}). When
 * either side drops, it opens both again, waiting longer after each failed attempt (up to 2 s),
 * and gives up after `giveUpMs`; the sidecar resumes its HTTP/2 session over the new pipe.
 */
export class TunnelLink {
  private stopped = false;
  private loop: Promise<void> | undefined;
  private failure: ((err: TpError) => void) | undefined;
  /** Rejects when the tunnel cannot be re-established. */
  readonly failed: Promise<never>;

  private readonly giveUpMs: number;
  private readonly clock: Clock;
  /** Aborted by stop(): ends the waits between attempts. */
  private readonly stopping = new AbortController();
  private readonly trim: (() => unknown) | undefined;
  private stopTrim: (() => void) | undefined; // the trim runs from the first tunnel up to the end
  /** Bytes carried so far, both ways, over every port-forward. */
  bytesMoved = 0;
  private readonly count = (chunk: Buffer): number => (this.bytesMoved += chunk.length);

  constructor(
    private readonly ends: TunnelEnds,
    private readonly remote: Pick<RemoteEnd, "namespace" | "pod">,
    private readonly sidecar: SidecarStatusLines,
    private readonly progress: Reporter,
    options: TunnelLinkOptions = {},
  ) {
    this.giveUpMs = options.giveUpMs ?? 60_000;
    this.clock = options.clock ?? systemClock;
    this.failed = new Promise<never>((_, reject) => (this.failure = reject));
    this.failed.catch(() => undefined);
    this.trim = options.trimMemory;
  }

  /** A pipe opened for an attempt whose port-forward failed: the next attempt uses it. */
  private sparePipe: Duplex | undefined;

  /**
   * One transport: the port-forward and the pipe into the sidecar, opened side by side. A pipe
   * is never thrown away unused: the sidecar takes each one as the newest transport, so a late
   * one would replace a working session.
   */
  private async connectOnce(giveUp?: Promise<unknown>): Promise<Transport> {
    const spare = this.sparePipe;
    this.sparePipe = undefined;
    const usable = spare && !spare.destroyed && !spare.writableEnded ? spare : undefined;
    if (spare && !usable) spare.destroy();
    const [pf, pipe] = await Promise.allSettled([
      this.ends.portForward().then((pf) => agentSpoke(pf, this.clock, giveUp)),
      usable ?? this.ends.sidecarPipe(),
    ]);
    if (pf.status === "fulfilled" && pipe.status === "fulfilled") {
      const done = pipeDuplexes(pf.value, pipe.value);
      pf.value.on("data", this.count);
      pipe.value.on("data", this.count);
      return {
        done,
        close: () => {
          pf.value.destroy();
          pipe.value.destroy();
        },
      };
    }
    if (pf.status === "fulfilled") pf.value.destroy();
    if (pipe.status === "fulfilled") this.sparePipe = pipe.value;
    throw pf.status === "rejected" ? pf.reason : (pipe as PromiseRejectedResult).reason;
  }

  /** Open the pipe into the sidecar ahead of time (while the pod starts): start() then uses it. */
  async prepare(): Promise<void> {
    if (this.sparePipe) return;
    this.sparePipe = await this.ends.sidecarPipe().catch(() => undefined);
  }

  /**
   * Open the first connection and wait until the sidecar says the tunnel works. The agent may
   * still be starting: attempts are repeated, and once `agentListens` resolves (the agent was
   * heard from another way) the next one is made at once.
   */
  async start(timeoutMs = 30_000, agentListens?: Promise<unknown>): Promise<void> {
    const { clock } = this;
    const deadline = clock.now() + timeoutMs;
    let listens = false;
    agentListens?.then(
      () => (listens = true),
      () => undefined,
    );
    // The agent may still be starting: retry until it answers.
    for (let attempt = 0; ; attempt++) {
      const seen = this.sidecar.count;
      let current: Transport | undefined;
      // An attempt made before the agent was known to listen, and still silent a moment after it
      // is, will not be answered (seen with port-forwards opened while the agent started).
      const giveUp = listens ? undefined : agentListens?.then(() => clock.sleep(500));
      try {
        current = await this.connectOnce(giveUp);
        // An attempt that stalls is given up and made again (a longer wait each time).
        const attemptMs = Math.min(2_000 * 2 ** attempt, Math.max(1, deadline - clock.now()));
        await Promise.race([
          this.sidecar.waitFor("tunnel-up", attemptMs, seen),
          current.done.then(() => Promise.reject(new Error("the tunnel closed while starting"))),
        ]);
        // A pod deleted while the tunnel started may still answer for its grace period: the
        // session would go on to a proxy that is going. Deleted later, its agent's exit drops
        // the tunnel and run() finds it gone.
        const going = await this.proxyGone();
        if (going) throw new ProxyGoing(proxyGoneError(going));
        // 10 s on, the session's start is over: what it left is given back too.
        this.stopTrim = this.trim && trimAfterTraffic(() => this.bytesMoved, this.trim, { settleMs: 10_000 });
        this.loop = this.run(current);
        return;
      } catch (err) {
        current?.done.catch(() => undefined);
        current?.close();
        if (err instanceof ProxyGoing) throw err.error;
        this.progress.debug(`tunnel attempt ${attempt + 1}: ${(err as Error).message}`);
        if (this.stopped || clock.now() + 100 > deadline) throw err;
        // Once the agent listened, a failed attempt may mean the proxy pod is gone: no retry then.
        const gone = listens ? await this.proxyGone() : undefined;
        if (gone) throw proxyGoneError(gone);
        // Once the agent is known to listen, the next attempt is not put off.
        if (listens) await clock.sleep(50);
        else await this.pause(Math.min(100 * 1.5 ** attempt, 1_000), agentListens);
      }
    }
  }

  private async proxyGone(): Promise<string | undefined> {
    return this.ends.proxyGone?.();
  }

  private fail(err: TpError): void {
    this.stopped = true;
    this.stopTrim?.();
    this.failure?.(err);
  }

  private async run(current: Transport): Promise<void> {
    for (;;) {
      await current.done;
      // (A sidecar stopped first, for its last round of volumes, closes the tunnel itself.)
      if (this.stopped || this.sidecar.stopping) return;
      const gone = await this.proxyGone();
      if (gone) {
        this.fail(proxyGoneError(gone));
        return;
      }
      if (this.stopped) return;
      this.progress.warn("the tunnel to the cluster dropped; reconnecting");
      const since = this.clock.now();
      let attempt = 0;
      for (;;) {
        if (this.stopped) return;
        try {
          const seen = this.sidecar.count;
          current = await this.connectOnce();
          await this.sidecar.waitFor("tunnel-up", 15_000, seen);
          this.progress.info("tunnel reconnected");
          break;
        } catch (err) {
          if (this.stopped) return;
          const gone = await this.proxyGone();
          if (gone) {
            this.fail(proxyGoneError(gone));
            return;
          }
          if (this.clock.now() - since > this.giveUpMs) {
            this.fail(
              new TpError(
                "cluster-unreachable",
                `the tunnel to ${this.remote.namespace}/${this.remote.pod} is lost: ${(err as Error).message}`,
                {
                  hint: "check the cluster connection; the session's changes are being undone",
                },
              ),
            );
            return;
          }
          await this.clock.sleep(reconnectDelayMs(attempt++), { signal: this.stopping.signal });
        }
      }
    }
  }

  /** Wait `ms`, or less once `wake` settles (a sign that waiting longer is pointless). */
  private async pause(ms: number, wake?: Promise<unknown>): Promise<void> {
    const woken = new AbortController();
    wake?.then(
      () => woken.abort(),
      () => undefined,
    );
    await this.clock.sleep(ms, { signal: woken.signal });
    woken.abort();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    this.stopTrim?.();
    this.sparePipe?.destroy();
    // Ending the sidecar closes the pipe; the loop then returns.
  }
}

/** The wait after the `attempt`th failed reconnection (from 0): doubling from 250 ms, at most 2 s. */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(250 * 2 ** attempt, 2_000);
}
