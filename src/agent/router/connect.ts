import { connect, type Socket } from "node:net";
import type { Writable } from "node:stream";

/** A session's target that does not accept within this long is passed over for upstream. */
export const targetConnectTimeoutMs = 3000;
/** A copy (mirror) further behind the original than this is dropped. */
export const mirrorBufferBytes = 1024 * 1024;

export interface Endpoint {
  host: string;
  port: number;
}

/** A connected socket to host:port, or the reason it could not connect in time. */
export function connectTo(endpoint: Endpoint, timeoutMs?: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: endpoint.host, port: endpoint.port, noDelay: true });
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => socket.destroy(new Error(`connect timeout (${timeoutMs} ms)`)), timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.off("error", reject);
      resolve(socket);
    });
    socket.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/**
 * Connect to the session's target when there is one, else (or when it refuses, is unreachable
 * or slow) to upstream: a session that went away costs its clients nothing.
 */
export async function connectRouted(
  target: Endpoint | undefined,
  upstream: Endpoint,
  log: (message: string) => void,
): Promise<Socket> {
  if (target) {
    try {
      return await connectTo(target, targetConnectTimeoutMs);
    } catch (err) {
      log(`${target.host}:${target.port}: ${(err as Error).message}; to upstream instead`);
    }
  }
  return connectTo(upstream);
}

/**
 * Copy what `source` emits to `copy` without ever slowing `source`: a copy that falls more than
 * {@link mirrorBufferBytes} behind is destroyed. Ends `copy` when `source` ends.
 */
export function teeTo(source: NodeJS.EventEmitter, copy: Writable): void {
  const onData = (chunk: Buffer) => {
    if (copy.destroyed) return;
    if (copy.writableLength > mirrorBufferBytes) copy.destroy();
    else copy.write(chunk);
  };
  const onEnd = () => {
    if (!copy.destroyed) copy.end();
  };
  source.on("data", onData);
  source.once("end", onEnd);
  copy.once("close", () => {
    source.off("data", onData);
    source.off("end", onEnd);
  });
}
