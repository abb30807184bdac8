import { systemClock, type Clock } from "../../clock.js";

/** How the proxy's agent serves on after its pod is deleted (see drain). */
export interface DrainOptions {
  /** Whether a session's tunnel is connected: without one there is nothing to serve. */
  serving(): boolean;
  /** When the pod's last inbound connection was accepted (ms since the epoch; 0: none yet). */
  lastAccept(): number;
  /** The agent ends once no connection has come for this long. */
  quietMs: number;
  /** At most this long after the stop signal, whatever comes. */
  maxMs: number;
  clock?: Clock;
}

/**
 * Wait, after the pod's stop signal, until the agent may end. A deleted pod leaves its Service's
 * endpoints only as fast as every node's proxy rewrites its rules (kube-proxy syncs at most once a
 * second by default), and the kubelet sends the signal at once: a connection routed to the pod in
 * between would find nothing. So while a session is connected the agent serves on until no
 * connection has come for `quietMs`, and at most `maxMs` (the pod's deletion grace bounds it too).
 */
export async function drain(o: DrainOptions): Promise<void> {
  const clock = o.clock ?? systemClock;
  const start = clock.now();
  for (;;) {
    if (!o.serving()) return;
    const now = clock.now();
    // Quiet counts from the signal, or from the last connection since.
    const next = Math.min(Math.max(o.lastAccept(), start) + o.quietMs, start + o.maxMs);
    if (next <= now) return;
    // Looked at again every 100 ms: the session may end meanwhile.
    await clock.sleep(Math.min(next - now, 100));
  }
}
