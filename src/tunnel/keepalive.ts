import type { Http2Session } from "node:http2";
import { connectionWindowSize, keepalive } from "../contract/tunnel-protocol.js";

/**
 * Keep an HTTP/2 session alive and notice when its peer is gone: a PING every interval, and the
 * session destroyed when for deadAfterMs neither a PING was answered nor a byte arrived (a silent
 * port-forward, a suspended laptop). Bytes count: under bulk traffic a PING's answer comes back
 * behind everything the peer had already written (up to a connection window, plus what the hops
 * between hold), which on a slow link takes longer than the deadline while the peer is well.
 * Also opens the connection-level flow-control window.
 */
export function superviseSession(
  session: Http2Session,
  options: { intervalMs?: number; deadAfterMs?: number } = {},
): void {
  const intervalMs = options.intervalMs ?? keepalive.intervalMs;
  const deadAfterMs = options.deadAfterMs ?? keepalive.deadAfterMs;
  let lastSign = Date.now();
  let bytesRead = received(session);
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
    const now = received(session);
    if (now !== bytesRead) {
      bytesRead = now;
      lastSign = Date.now();
    }
    if (Date.now() - lastSign > deadAfterMs) {
      session.destroy(new Error(`nothing from the peer for ${deadAfterMs} ms`));
      return;
    }
    try {
      session.ping((err) => {
        if (!err) lastSign = Date.now();
      });
    } catch {
      // Too many unanswered pings in flight; the deadline above will catch a dead peer.
    }
  }, intervalMs);
  timer.unref();
  session.once("close", () => clearInterval(timer));
}

/** Bytes the session has read from its transport so far (undefined where it cannot be told). */
function received(session: Http2Session): number | undefined {
  try {
    const n = (session.socket as { bytesRead?: unknown } | undefined)?.bytesRead;
    return typeof n === "number" ? n : undefined;
  } catch {
    return undefined; // The socket is gone (the session is closing).
  }
}
