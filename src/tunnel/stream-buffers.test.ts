import { createServer as createHttp2Server } from "node:http2";
import { connect, createServer, type Server, type Socket } from "node:net";
import { setDefaultHighWaterMark } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { serverOptions } from "../contract/tunnel-protocol.js";
import { bridge } from "./bridge.js";
import { connectHandler } from "./connect-handler.js";
import { useTunnelBuffers } from "./stream-buffers.js";
import { TunnelClient } from "./tunnel-client.js";
import { TunnelRouter } from "./tunnel-router.js";

const listen = async (server: Server): Promise<number> => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return (server.address() as { port: number }).port;
};

/**
 * Upload `bytes` from a local socket through the tunnel to a sink; counts how often the local end's
 * socket was paused and how many reads it made.
 */
async function upload(bytes: number, servers: Server[]): Promise<{ pauses: number; reads: number }> {
  let received = 0;
  let done!: () => void;
  const sunk = new Promise<void>((r) => (done = r));
  const sink = createServer((s) =>
    s.on("data", (c: Buffer) => {
      received += c.length;
      if (received >= bytes) done();
    }),
  );
  const router = new TunnelRouter().onConnect(connectHandler());
  const h2 = createHttp2Server(serverOptions);
  h2.on("stream", (stream, headers) => router.handle(stream, headers));
  const agent = createServer((socket) => h2.emit("connection", socket));
  servers.push(sink, agent);
  const sinkPort = await listen(sink);
  const tunnel = new TunnelClient();
  tunnel.attach(connect(await listen(agent), "127.0.0.1"));
  const counts = { pauses: 0, reads: 0 };
  const local = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket: Socket) => {
    void tunnel.open({ ":method": "CONNECT", ":authority": `127.0.0.1:${sinkPort}` }).then((stream) => {
      bridge(socket, stream);
      socket.on("pause", () => counts.pauses++);
      socket.on("data", () => counts.reads++);
    });
  });
  servers.push(local);
  const app = connect(await listen(local), "127.0.0.1");
  const block = Buffer.alloc(1024 * 1024);
  for (let sent = 0; sent < bytes; sent += block.length)
    if (!app.write(block)) await new Promise((r) => app.once("drain", r));
  await sunk;
  app.destroy();
  tunnel.close();
  return counts;
}

describe("the tunnel ends' stream buffers", () => {
  const servers: Server[] = [];
  afterEach(() => {
    for (const s of servers.splice(0)) s.close();
    setDefaultHighWaterMark(false, 16 * 1024);
  });

  it("let a connection's socket read on while the HTTP/2 stream sends (Node's 16 KiB paused it every read)", async () => {
    const before = await upload(32 * 1024 * 1024, servers);
    useTunnelBuffers();
    const after = await upload(32 * 1024 * 1024, servers);
    expect(before.pauses).toBeGreaterThan(before.reads / 2);
    expect(after.pauses).toBeLessThan(after.reads / 2);
  });
});
