import type { Duplex } from "node:stream";

/**
 * Copy bytes both ways between two duplexes (for instance a port-forward and a sidecar pipe)
 * until either side ends, fails or closes; then destroy both. Resolves once both are closed,
 * never rejects: the caller learns about the end, and reconnects if it wants to.
 */
export function pipeDuplexes(a: Duplex, b: Duplex): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      a.unpipe(b);
      b.unpipe(a);
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
    a.pipe(b, { end: false });
    b.pipe(a, { end: false });
  });
}
