import { createServer as createHttp2Server } from "node:http2";
import type { Duplex } from "node:stream";
import { connectHandler } from "./connect-handler.js";
import { superviseSession } from "./keepalive.js";
import { serverOptions } from "../contract/tunnel-protocol.js";
import { TunnelRouter } from "./tunnel-router.js";

/**
 * The host's end of `--container-to-host`: serve one HTTP/2 session over `transport` (a
 * `docker exec -i <sidecar> tp-agent pipe --socket /run/tp/host.sock`) in which the sidecar may
 * CONNECT only to 127.0.0.1 on the listed host ports. Resolves when the session ends.
 */
export function serveHostForward(transport: Duplex, hostPorts: number[]): Promise<void> {
  const allowed = new Set(hostPorts);
  const router = new TunnelRouter().onConnect(
    connectHandler((host, port) => (host === "127.0.0.1" || host === "localhost") && allowed.has(port)),
  );
  const h2 = createHttp2Server(serverOptions);
  h2.on("stream", (stream, headers) => router.handle(stream, headers));
  return new Promise((resolve) => {
    h2.once("session", (session) => {
      superviseSession(session);
      session.on("error", () => {});
      session.once("close", () => {
        transport.destroy();
        resolve();
      });
    });
    transport.once("close", () => resolve());
    h2.emit("connection", transport);
  });
}
