import { createServer as createHttp2Server } from "node:http2";
import { afterEach, describe, expect, it } from "vitest";
import { serverOptions } from "../contract/tunnel-protocol.js";
import { superviseSession } from "./keepalive.js";
import { pipeDuplexes } from "./pipe-duplexes.js";
import { TunnelClient } from "./tunnel-client.js";
import { TunnelRouter } from "./tunnel-router.js";
import { wirePair, type WireEnd } from "./testing-wire.js";

const MiB = 1024 * 1024;

describe("pipeDuplexes between two HTTP/2 ends", () => {
  const ends: WireEnd[] = [];
  const clients: TunnelClient[] = [];
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
    for (const e of ends.splice(0)) e.destroy();
  });

  // A Node HTTP/2 session stops reading its transport while one of its writes is under way, and a
  // write holds all it may send (up to a connection window). With both ends sending at once and
  // less room between them than that, each waits for the other to read: the middle hop must
  // take what they write whatever the other side does.
  it("keeps both directions moving when both ends send bulk at once over small hops", async () => {
    const router = new TunnelRouter().on("POST", "/echo", (stream) => {
      stream.respond({ ":status": 200 });
      stream.pipe(stream);
    });
    const h2 = createHttp2Server(serverOptions);
    h2.on("stream", (stream, headers) => router.handle(stream, headers));
    h2.on("session", (s) => {
      s.on("error", () => undefined);
      superviseSession(s);
    });
    const [clientEnd, middleA] = wirePair({ capacity: 64 * 1024 });
    const [middleB, agentEnd] = wirePair({ capacity: 64 * 1024 });
    ends.push(clientEnd, middleA, middleB, agentEnd);
    h2.emit("connection", agentEnd);
    void pipeDuplexes(middleA, middleB);
    const client = new TunnelClient();
    clients.push(client);
    client.attach(clientEnd);

    const body = Buffer.alloc(MiB, "0123456789abcdef");
    const echoes = await Promise.race([
      Promise.all(
        Array.from({ length: 16 }, async () => {
          const stream = await client.open({ ":method": "POST", ":path": "/echo" });
          let got = 0;
          const done = new Promise<number>((resolve, reject) => {
            stream.on("data", (c: Buffer) => (got += c.length));
            stream.on("end", () => resolve(got));
            stream.on("error", reject);
          });
          stream.end(body);
          return done;
        }),
      ),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error("the tunnel stopped moving")), 8_000),
      ),
    ]);
    expect(echoes).toEqual(Array(16).fill(MiB));
  }, 15_000);
});

describe("pipeDuplexes limit", () => {
  it("stops reading a source once the destination holds the limit", async () => {
    const [source, sourceFar] = wirePair({ capacity: 1024 * 1024 });
    const [stalled, stalledFar] = wirePair({ capacity: 64 * 1024 });
    stalled.silenced = true; // nothing written to it is ever taken
    const joined = pipeDuplexes(source, stalled, 256 * 1024);
    const chunk = Buffer.alloc(16 * 1024);
    let wrote = 0;
    while (wrote < 4 * 1024 * 1024 && sourceFar.write(chunk)) wrote += chunk.length;
    for (let i = 0; i < 64; i++) sourceFar.write(chunk);
    await new Promise((r) => setTimeout(r, 200));
    expect(stalled.writableLength).toBeGreaterThanOrEqual(256 * 1024);
    expect(stalled.writableLength).toBeLessThan(256 * 1024 + 64 * 1024);
    sourceFar.destroy();
    stalledFar.destroy();
    await joined;
  });
});
