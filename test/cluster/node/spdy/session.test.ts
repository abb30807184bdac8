import { once } from "node:events";
import { createServer, connect, type AddressInfo, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { encodeFrame, FrameReader, type Frame } from "./frames.js";
import { HeaderCompressor } from "./header-block.js";
import { SpdySession } from "./session.js";
import type { SpdyStream } from "./stream.js";

const cleanup: (() => void)[] = [];
afterEach(() => cleanup.splice(0).forEach((f) => f()));

/** Two connected sockets over loopback. */
async function socketPair(): Promise<[Socket, Socket]> {
  const server = createServer({ allowHalfOpen: true });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const accepted = once(server, "connection") as Promise<[Socket]>;
  const a = connect({ port: (server.address() as AddressInfo).port, host: "127.0.0.1", allowHalfOpen: true });
  const [b] = await accepted;
  cleanup.push(() => (a.destroy(), b.destroy(), server.close()));
  return [a, b];
}

async function sessions(clientOpts = {}, serverOpts = {}): Promise<[SpdySession, SpdySession]> {
  const [a, b] = await socketPair();
  return [
    new SpdySession(a, { server: false, ...clientOpts }),
    new SpdySession(b, { server: true, ...serverOpts }),
  ];
}

const nextStream = (s: SpdySession) => once(s, "stream").then(([st]) => st as SpdyStream);

function readAll(s: SpdyStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  s.on("data", (d: Buffer) => chunks.push(d));
  s.resume();
  return once(s, "end").then(() => Buffer.concat(chunks));
}

/** A peer that speaks raw frames: what it receives, and a way to send. */
async function rawPeer(
  server: boolean,
): Promise<{ session: SpdySession; frames: Frame[]; send: (f: Frame) => void }> {
  const [a, b] = await socketPair();
  const reader = new FrameReader();
  const frames: Frame[] = [];
  b.on("data", (d: Buffer) => frames.push(...reader.push(d)));
  return { session: new SpdySession(a, { server }), frames, send: (f) => b.write(encodeFrame(f)) };
}

const synStream = (c: HeaderCompressor, streamId: number): Frame => ({
  type: "synStream",
  streamId,
  associatedId: 0,
  priority: 0,
  flags: 0,
  block: c.compress({}),
});

const until = async (cond: () => boolean, ms = 5000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe("SPDY/3.1 session", () => {
  it("opens streams with headers, replies, and carries data each way with independent FINs", async () => {
    const [client, server] = await sessions();
    const incoming = nextStream(server);
    const st = client.openStream({ streamtype: ["data"], port: ["80"], requestid: ["0"] });
    const peer = await incoming;
    expect(peer.id).toBe(1);
    expect(peer.headers).toEqual({ streamtype: ["data"], port: ["80"], requestid: ["0"] });
    const reply = once(st, "reply");
    peer.reply({ ok: ["yes"] });
    expect((await reply)[0]).toEqual({ ok: ["yes"] });

    const up = Buffer.alloc(1 << 20, 7);
    const serverGot = readAll(peer);
    st.end(up);
    expect((await serverGot).equals(up)).toBe(true);
    // The client's FIN left the other direction open.
    const clientGot = readAll(st);
    peer.end("late answer");
    expect((await clientGot).toString()).toBe("late answer");
    await until(() => client.openStreams === 0 && server.openStreams === 0);
  });

  it("keeps to the peer's windows when asked: 64 KiB until the reader takes data and sends WINDOW_UPDATE", async () => {
    const [client, server] = await sessions({ enforceSendWindow: true });
    const incoming = nextStream(server);
    const st = client.openStream({ streamtype: ["data"] });
    const peer = await incoming;
    peer.pause();
    st.end(Buffer.alloc(1 << 20, 1));
    await new Promise((r) => setTimeout(r, 300));
    expect(peer.readableLength).toBe(64 * 1024);
    const got = await readAll(peer);
    expect(got.length).toBe(1 << 20);
  });

  it("answers with WINDOW_UPDATE for the stream and the session as data is read", async () => {
    const raw = await rawPeer(true);
    const c = new HeaderCompressor();
    const incoming = nextStream(raw.session);
    raw.send(synStream(c, 1));
    const st = await incoming;
    const got = readAll(st);
    for (let i = 0; i < 8; i++)
      raw.send({ type: "data", streamId: 1, fin: i === 7, data: Buffer.alloc(32 * 1024) });
    expect((await got).length).toBe(256 * 1024);
    const updates = (id: number) =>
      raw.frames.reduce((n, f) => n + (f.type === "windowUpdate" && f.streamId === id ? f.delta : 0), 0);
    await until(() => updates(0) === 256 * 1024);
    // The stream's own window is granted back as it is read (the last frame ended it: maybe not that one).
    expect(updates(1)).toBeGreaterThanOrEqual(224 * 1024);
  });

  it("does not wait for window updates from a peer that never sends them (spdystream)", async () => {
    const raw = await rawPeer(false);
    const st = raw.session.openStream({ streamtype: ["data"] });
    st.end(Buffer.alloc(1 << 20, 2));
    const dataBytes = () => raw.frames.reduce((n, f) => n + (f.type === "data" ? f.data.length : 0), 0);
    await until(() => dataBytes() === 1 << 20);
    const last = raw.frames.at(-1);
    expect(last?.type === "data" && last.fin).toBe(true);
  });

  it("answers the peer's PING, and its own PING is answered", async () => {
    const raw = await rawPeer(true);
    raw.send({ type: "ping", id: 1 });
    await until(() => raw.frames.some((f) => f.type === "ping" && f.id === 1));
    const [client] = await sessions();
    await expect(client.ping()).resolves.toBeUndefined();
  });

  it("RST_STREAM ends the peer's stream at once; GOAWAY reaches the peer", async () => {
    const [client, server] = await sessions();
    const incoming = nextStream(server);
    const st = client.openStream({ streamtype: ["error"] });
    const peer = await incoming;
    const reset = once(peer, "reset");
    const closed = once(peer, "close");
    st.reset();
    expect((await reset)[0]).toBe(5);
    await closed;
    const goaway = once(server, "goaway");
    client.goAway();
    await goaway;
  });

  it("refuses a SYN_STREAM whose id does not go up", async () => {
    const raw = await rawPeer(true);
    const c = new HeaderCompressor();
    raw.send(synStream(c, 3));
    raw.send(synStream(c, 1));
    await until(() => raw.frames.some((f) => f.type === "rstStream" && f.streamId === 1 && f.status === 1));
  });
});
