import { createServer, isIPv6, type Server, type Socket } from "node:net";
import { bridge } from "../../tunnel/bridge.js";
import type { TunnelClient } from "../../tunnel/tunnel-client.js";
import type { OriginalDst } from "./original-dst.js";

const openTimeoutMs = 30_000;

/** Errors of a socket before it is bridged: the bridge or the failed open resets it. */
const ignore = (): void => {};

/** `host:port` as an HTTP/2 :authority (IPv6 in brackets). */
export function authority(host: string, port: number): string {
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Open `host:port` through the tunnel for a local socket: a CONNECT stream, the socket joined to it
 * once the far end is connected, and a TCP reset when it cannot be (refused, unreachable, no
 * tunnel), so the program sees a failed connection, not a hang.
 */
export function forwardThroughTunnel(
  tunnel: TunnelClient,
  socket: Socket,
  host: string,
  port: number,
  log?: (message: string) => void,
): void {
  socket.on("error", ignore);
  socket.pause();
  tunnel
    .open({ ":method": "CONNECT", ":authority": authority(host, port) }, { timeoutMs: openTimeoutMs })
    .then((stream) => {
      if (socket.destroyed) {
        stream.close();
        return;
      }
      bridge(socket, stream);
      socket.resume();
    })
    .catch((err: unknown) => {
      log?.(
        `connection to ${authority(host, port)} failed: ${err instanceof Error ? err.message : String(err)}`,
      );
      if (!socket.destroyed) socket.resetAndDestroy();
    });
}

/**
 * The listener iptables REDIRECTs every proxied TCP connection to: it reads where each connection
 * was going (SO_ORIGINAL_DST) and opens that destination in the cluster.
 */
export async function startTcpRedirector(
  tunnel: TunnelClient,
  port: number,
  originalDst: (socket: Socket) => OriginalDst | null,
  log: (message: string) => void,
): Promise<Server> {
  const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => {
    socket.setNoDelay(true);
    const dst = originalDst(socket);
    if (!dst || (dst.port === port && dst.address.startsWith("127."))) {
      log("a connection reached the redirect port directly; reset");
      socket.resetAndDestroy();
      return;
    }
    forwardThroughTunnel(tunnel, socket, dst.address, dst.port, log);
  });
  await listen(server, port, "127.0.0.1");
  return server;
}

/** --to-pod and friends: a plain local listener whose connections go to one fixed destination. */
export async function startFixedForward(
  port: number,
  forward: (socket: Socket) => void,
  host = "127.0.0.1",
): Promise<Server> {
  const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => {
    socket.setNoDelay(true);
    forward(socket);
  });
  await listen(server, port, host);
  return server;
}

export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port, host }, () => {
      server.off("error", reject);
      resolve();
    });
  });
}
