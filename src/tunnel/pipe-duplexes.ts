import type { Duplex, Readable, Writable } from "node:stream";
import { connectionWindowSize } from "../contract/tunnel-protocol.js";

/**
 * How much one direction of {@link pipeDuplexes} takes in before it stops reading its source. A
 * Node HTTP/2 session stops reading its transport while one of its writes is under way, and one
 * write holds all that flow control lets it send: up to the peer's connection window. When both
 * ends of the tunnel send at once and the hops between hold less than that, each end waits for
 * the other to read and the tunnel stops (then the keepalive ends it). So the middle hop takes
 * whatever an end writes, which flow control bounds by a connection window, plus room for the
 * frames it does not count (headers, WINDOW_UPDATE, PING, RST_STREAM).
 */
export const pipeLimit = connectionWindowSize + 1024 * 1024;

/**
 * Copy bytes both ways between two duplexes (for instance a port-forward and a sidecar pipe)
 * until either side ends, fails or closes; then destroy both. Each direction reads its source
 * whatever the other side does, holding up to {@link pipeLimit} bytes the destination has not
 * taken yet. Resolves once both are closed, never rejects: the caller learns about the end, and
 * reconnects if it wants to.
 */
export function pipeDuplexes(a: Duplex, b: Duplex, limit = pipeLimit): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      a.destroy();
      b.destroy();
      let open = 2;
      const closed = (): void => {
        if (--open === 0) resolve();
      };
      if (a.closed) closed();
      else a.once("close", closed);
      if (b.closed) closed();
      else b.once("close", closed);
    };
    for (const s of [a, b]) {
      s.once("error", finish);
      s.once("close", finish);
      s.once("end", finish);
    }
    pump(a, b, limit, () => done);
    pump(b, a, limit, () => done);
  });
}

/**
 * Copy what `from` reads to `to`, reading on while `to` holds less than `limit` bytes it has not
 * written yet (see {@link pipeLimit}). Neither end nor error is passed on: the caller decides.
 */
export function pump(from: Readable, to: Writable, limit = pipeLimit, stopped = (): boolean => false): void {
  from.on("data", (chunk: Buffer) => {
    if (stopped() || to.destroyed) return;
    to.write(chunk);
    if (to.writableLength >= limit) {
      from.pause();
      to.once("drain", () => from.resume());
    }
  });
  // As pipe() does: a source paused before (or read through "readable") flows from here on.
  from.resume();
}
