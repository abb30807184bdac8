import type { Http2Session } from "node:http2";
import { connectionWindowSize, keepalive } from "../contract/tunnel-protocol.js";

/**
 * Keep an HTTP/2 session alive and notice when its peer is gone: a PING every interval, and the
 * session destroyed when nothing came from the peer for deadAfterMs (a silent port-forward, a
 * suspended laptop). Any byte read counts as much as a PING's answer: on a slow link the answer
 * waits behind the data already sent (a stream window per busy stream), and a session that is
 * receiving is alive. Also opens the connection-level flow-control window.
 */
export function superviseSession(
  session: Http2Session,
  options: { intervalMs?: number; deadAfterMs?: number } = {},
): void {
  const intervalMs = options.intervalMs ?? keepalive.intervalMs;
  const deadAfterMs = options.deadAfterMs ?? keepalive.deadAfterMs;
  let lastAnswer = Date.now();
  let lastRead = bytesRead(session);
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
    const read = bytesRead(session);
    if (read !== lastRead) {
      lastRead = read;
      lastAnswer = Date.now();
    }
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

/** What the session's transport has read so far (a JS stream transport counts too). */
function bytesRead(session: Http2Session): number {
  try {
    return session.socket?.bytesRead ?? 0;
  } catch {
    return 0; // the session is being torn down
  }
}
