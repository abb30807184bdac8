import { writeFile } from "node:fs/promises";
import { createServer as createHttp2Server, type ServerHttp2Session } from "node:http2";
import { createServer } from "node:net";
import { superviseSession } from "../../tunnel/keepalive.js";
import { Paths, serverOptions } from "../../contract/tunnel-protocol.js";
import { VolumePaths } from "../../contract/volume-protocol.js";
import { TunnelRouter } from "../../tunnel/tunnel-router.js";
import { InboundListeners } from "./inbound-listeners.js";
import { addProxyRoutes } from "./proxy-routes.js";
import { addVolumeRoutes } from "../../sync/volume-routes.js";
import { addUdpRoutes } from "./udp-routes.js";
import { startReadinessServer } from "./readiness-server.js";

export interface ProxyAgentOptions {
  /** Port of the tunnel, on 127.0.0.1 only: reached through the port-forward, never the network. */
  tunnelPort: number;
  /** A socket already listening on that port (inherited from tp-listen), to accept on. */
  tunnelFd?: number;
  readyFile: string;
  /**
   * Where the readiness probe is answered (see startReadinessServer): Ready while a session is
   * connected, as a proxy without one must not take a Service's traffic.
   */
  readinessPort?: number;
  /** A socket already listening on the readiness port (inherited from tp-listen), to accept on. */
  readinessFd?: number;
  resolvConfPath: string;
  log: (message: string) => void;
  /** Told when a session's tunnel comes (a session is current) and goes. */
  onTunnel?: (up: boolean) => void;
}

export interface StartedProxyAgent {
  router: TunnelRouter;
  /** Whether a session's tunnel is connected. */
  serving(): boolean;
  /** When the pod's last inbound connection was accepted (ms since the epoch; 0: none yet). */
  lastAccept(): number;
  close(): Promise<void>;
}

/** Requests that change nothing in the pod: a session that makes only these replaces nothing. */
const readOnlyRoutes = new Set([
  `GET ${Paths.env}`,
  `POST ${VolumePaths.list}`,
  `POST ${VolumePaths.copy}`,
  `POST ${VolumePaths.snapshot}`,
]);

/**
 * The agent in the pod: the server end of the tunnel. One session at a time: the first stream of
 * a newer session (the CLI reconnecting after a dropped port-forward) replaces the current one.
 * A session that only reads (`GET /env`, `POST /volumes/list`, `POST /volumes/snapshot`: the CLI
 * at session start) replaces nothing.
 */
export async function startProxyAgent(options: ProxyAgentOptions): Promise<StartedProxyAgent> {
  const listeners = new InboundListeners();
  const router = addUdpRoutes(
    addVolumeRoutes(addProxyRoutes(new TunnelRouter(), { ...options, listeners }), options.log),
    options.log,
  );
  const h2 = createHttp2Server(serverOptions);
  let current: ServerHttp2Session | undefined;
  let sessions = 0;
  const numbers = new WeakMap<ServerHttp2Session, number>();
  const tellTunnel = () => options.onTunnel?.(current !== undefined);
  h2.on("session", (session) => {
    const n = ++sessions;
    numbers.set(session, n);
    superviseSession(session);
    options.log(`tunnel session ${n} connected`);
    session.on("error", (err) => options.log(`tunnel session ${n}: ${err.message}`));
    session.once("close", () => {
      if (current === session) {
        current = undefined;
        tellTunnel();
      }
      options.log(`tunnel session ${n} closed`);
    });
  });
  h2.on("stream", (stream, headers) => {
    const session = stream.session as ServerHttp2Session | undefined;
    // Streams that belong to no session: the CLI's env read and its first copy of the volumes.
    const readOnly = readOnlyRoutes.has(`${headers[":method"]} ${headers[":path"]}`);
    if (session && session !== current && !readOnly) {
      const n = numbers.get(session) ?? 0;
      if (!current || n > (numbers.get(current) ?? 0)) {
        const previous = current;
        current = session;
        tellTunnel();
        previous?.destroy();
      }
    }
    router.handle(stream, headers);
  });
  const tcp = createServer((socket) => {
    socket.setNoDelay(true);
    h2.emit("connection", socket);
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once("error", reject);
    if (options.tunnelFd !== undefined) tcp.listen({ fd: options.tunnelFd }, resolve);
    else tcp.listen({ port: options.tunnelPort, host: "127.0.0.1" }, resolve);
  });
  const readiness =
    options.readinessPort !== undefined
      ? await startReadinessServer(
          options.readinessFd !== undefined ? { fd: options.readinessFd } : { port: options.readinessPort },
          () => current !== undefined,
        ).catch((err: Error) => {
          tcp.close();
          throw new Error(
            `cannot answer the readiness probe on port ${options.readinessPort}: ${err.message}`,
          );
        })
      : undefined;
  await writeFile(options.readyFile, `listening on 127.0.0.1:${options.tunnelPort}\n`);
  options.log(`tunnel listening on 127.0.0.1:${options.tunnelPort}`);
  return {
    router,
    serving: () => current !== undefined,
    lastAccept: () => listeners.lastAccept,
    close: async () => {
      current?.destroy();
      readiness?.close();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}
