import type { Http2Session } from "node:http2";
import { connectionWindowSize, keepalive } from "../contract/tunnel-protocol.js";

/**
 * Keep an HTTP/2 session alive and notice when its peer is gone: a PING every interval, and the
 * session destroyed when no PING has been answered for deadAfterMs (a silent port-forward, a
 * suspended laptop). Also opens the connection-level flow-control window.
 */
export function superviseSession(
  session: Http2Session,
  options: { intervalMs?: number; deadAfterMs?: number } = {},
): void {
  const intervalMs = options.intervalMs ?? keepalive.intervalMs;
  const deadAfterMs = options.deadAfterMs ?? keepalive.deadAfterMs;
  let lastAnswer = Date.now();
  const widen = (): void => {
    try {
      session.setLocalWindowSize(connectionWindowSize);
    } catch {
      // The session closed before it was connected; nothing to widen.
    }
  };
  if (session.connecting) session.once("connect", widen);
  else widen();
  const timer = setInterval(() => {
    if (session.destroyed || session.closed) return;
    if (Date.now() - lastAnswer > deadAfterMs) {
      session.destroy(new Error(`no keepalive answer for ${deadAfterMs} ms`));
      return;
    }
    try {
      session.ping((err) => {
        if (!err) lastAnswer = Date.now();
      });
    } catch {
      // Too many unanswered pings in flight; the deadline above will catch a dead peer.
    }
  }, intervalMs);
  timer.unref();
  session.once("close", () => clearInterval(timer));
}
