import { writeFile } from "node:fs/promises";
import { createServer as createHttp2Server, type ServerHttp2Session } from "node:http2";
import { createServer } from "node:net";
import { superviseSession } from "../../tunnel/keepalive.js";
import { serverOptions } from "../../tunnel/protocol.js";
import { TunnelRouter } from "../../tunnel/tunnel-router.js";
import { InboundListeners } from "./inbound-listeners.js";
import { addProxyRoutes } from "./proxy-routes.js";
import { addVolumeRoutes } from "./volume-routes.js";

export interface ProxyAgentOptions {
  /** Port of the tunnel, on 127.0.0.1 only: reached through the port-forward, never the network. */
  tunnelPort: number;
  readyFile: string;
  resolvConfPath: string;
  log: (message: string) => void;
}

export interface StartedProxyAgent {
  router: TunnelRouter;
  close(): Promise<void>;
}

/**
 * The agent in the pod: the server end of the tunnel. One session at a time; a new connection
 * replaces the current session (the CLI reconnecting after a dropped port-forward).
 */
export async function startProxyAgent(options: ProxyAgentOptions): Promise<StartedProxyAgent> {
  const listeners = new InboundListeners();
  const router = addVolumeRoutes(addProxyRoutes(new TunnelRouter(), { ...options, listeners }), options.log);
  const h2 = createHttp2Server(serverOptions);
  let current: ServerHttp2Session | undefined;
  let sessions = 0;
  h2.on("session", (session) => {
    const n = ++sessions;
    const previous = current;
    current = session;
    previous?.destroy();
    superviseSession(session);
    options.log(`tunnel session ${n} connected`);
    session.on("error", (err) => options.log(`tunnel session ${n}: ${err.message}`));
    session.once("close", () => {
      if (current === session) current = undefined;
      options.log(`tunnel session ${n} closed`);
    });
  });
  h2.on("stream", (stream, headers) => router.handle(stream, headers));
  const tcp = createServer((socket) => {
    socket.setNoDelay(true);
    h2.emit("connection", socket);
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once("error", reject);
    tcp.listen({ port: options.tunnelPort, host: "127.0.0.1" }, resolve);
  });
  await writeFile(options.readyFile, `listening on 127.0.0.1:${options.tunnelPort}\n`);
  options.log(`tunnel listening on 127.0.0.1:${options.tunnelPort}`);
  return {
    router,
    close: async () => {
      current?.destroy();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}
