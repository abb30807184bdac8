import { connect, createServer, type ClientHttp2Session, type Http2Session } from "node:http2";
import { afterEach, describe, expect, it } from "vitest";
import { clientSessionOptions, serverOptions } from "../contract/tunnel-protocol.js";
import { superviseSession } from "./keepalive.js";
import { wirePair } from "./testing-wire.js";

const MiB = 1024 * 1024;

describe("keepalive", () => {
  const sessions: Http2Session[] = [];
  afterEach(() => {
    for (const s of sessions.splice(0)) s.destroy();
  });

  /** A client and a server session over one wire, both supervised with short deadlines. */
  function pair(wire: { capacity: number; bytesPerSecond?: number }, deadAfterMs: number) {
    const [near, far] = wirePair(wire);
    const server = createServer(serverOptions);
    server.on("stream", (stream) => stream.on("error", () => undefined));
    const serverSession = new Promise<Http2Session>((resolve) =>
      server.once("session", (s) => {
        sessions.push(s);
        s.on("error", () => undefined);
        superviseSession(s, { intervalMs: 50, deadAfterMs });
        resolve(s);
      }),
    );
    server.emit("connection", far);
    const client: ClientHttp2Session = connect("http://tp-tunnel", {
      ...clientSessionOptions,
      createConnection: () => near,
    });
    sessions.push(client);
    client.on("error", () => undefined);
    superviseSession(client, { intervalMs: 50, deadAfterMs });
    return { server, client, serverSession, far };
  }

  it("keeps a session whose PING answers wait behind bulk data that still moves", async () => {
    // Eight streams of 1 MiB at 4 MiB/s: a PING goes out behind up to a connection window of
    // data (4 MiB), so its answer comes about a second later, while bytes arrive all along.
    const { server, client, serverSession } = pair({ capacity: 64 * 1024, bytesPerSecond: 4 * MiB }, 400);
    server.on("stream", (stream) => {
      let received = 0;
      stream.on("data", (c: Buffer) => (received += c.length));
      stream.on("end", () => {
        stream.respond({ ":status": 200 });
        stream.end(String(received));
      });
    });
    const serverEnd = await serverSession;
    const block = Buffer.alloc(MiB, 7);
    const answers = Array.from({ length: 8 }, () => {
      const req = client.request({ ":method": "POST", ":path": "/sink" });
      req.end(block);
      return new Promise<string>((resolve, reject) => {
        let text = "";
        req.on("data", (c: Buffer) => (text += c.toString()));
        req.on("end", () => resolve(text));
        req.on("error", reject);
        req.on("close", () => reject(new Error(`stream closed, session destroyed: ${client.destroyed}`)));
      });
    });
    expect(await Promise.all(answers)).toEqual(Array(8).fill(String(MiB)));
    expect(client.destroyed).toBe(false);
    expect(serverEnd.destroyed).toBe(false);
  }, 20_000);

  it("ends a session whose peer has gone silent", async () => {
    const { client, serverSession, far } = pair({ capacity: 64 * 1024 }, 300);
    await serverSession;
    await client.request({ ":path": "/" }).on("error", () => undefined);
    // The connection stays open, but nothing the server sends arrives any more.
    far.silenced = true;
    const t0 = Date.now();
    await new Promise<void>((r) => client.once("close", () => r()));
    expect(Date.now() - t0).toBeLessThan(1_000);
  }, 10_000);
});
