import { KubeConfig } from "@kubernetes/client-node";
import { createServer, type Server } from "node:http";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import type { Kube } from "./kube.js";
import { openPortForward } from "./port-forward.js";

/** A kubelet-like port-forward endpoint: `reply` decides what a new connection gets. */
describe("openPortForward", () => {
  let server: Server;
  let kube: Kube;
  let reply: (send: (frame: Buffer) => void, close: () => void) => void;
  /** Each frame the client sent. */
  let received: Buffer[];

  beforeEach(async () => {
    server = createServer();
    const wss = new WebSocketServer({ server, handleProtocols: () => "v4.channel.k8s.io" });
    received = [];
    wss.on("connection", (ws) => {
      ws.on("message", (data: Buffer) => received.push(data));
      // Everything is written at once, so that it reaches the client with the handshake.
      ws.pause();
      reply(
        (frame) => ws.send(frame),
        () => ws.close(1000),
      );
      ws.resume();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const config = new KubeConfig();
    const port = (server.address() as { port: number }).port;
    config.loadFromOptions({
      clusters: [{ name: "c", server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: "u", token: "t" }],
      contexts: [{ name: "x", cluster: "c", user: "u" }],
      currentContext: "x",
    });
    kube = { config, namespace: "default" } as Kube;
  });

  afterEach(() => {
    server.close();
  });

  const prefix = (channel: number) => Buffer.from([channel, 0x5a, 0x1e]); // port 7770

  it("fails at once when the error and the close come with the handshake", async () => {
    reply = (send, close) => {
      send(prefix(0));
      send(prefix(1));
      send(Buffer.concat([Buffer.from([1]), Buffer.from("connect 127.0.0.1:7770: Connection refused")]));
      close();
    };
    await expect(openPortForward(kube, "default", "p", 7770)).rejects.toThrow(/Connection refused/);
  });

  it("gives a stream of the pod's bytes when the port answers", async () => {
    reply = (send) => {
      send(prefix(0));
      send(prefix(1));
      send(Buffer.concat([Buffer.from([0]), Buffer.from("hello")]));
    };
    const stream = await openPortForward(kube, "default", "p", 7770);
    const first = await new Promise<Buffer>((r) => stream.once("data", r));
    expect(first.toString()).toBe("hello");
    stream.destroy();
  });

  it("sends what queued behind a frame as few frames, on channel 0, in order", async () => {
    reply = (send) => {
      send(prefix(0));
      send(prefix(1));
    };
    const stream = await openPortForward(kube, "default", "p", 7770);
    const chunks = Array.from({ length: 200 }, (_, i) => Buffer.alloc(10_000, i));
    for (const c of chunks) stream.write(c);
    const finished = new Promise<void>((r) => stream.once("finish", () => r()));
    stream.end();
    await finished;
    await new Promise((r) => setTimeout(r, 100));
    expect(received.every((f) => f[0] === 0)).toBe(true);
    expect(Buffer.concat(received.map((f) => f.subarray(1))).equals(Buffer.concat(chunks))).toBe(true);
    // 2 MB in frames of at most 256 KiB (plus the channel byte), not one frame per chunk.
    expect(received.length).toBeLessThanOrEqual(12);
    expect(Math.max(...received.map((f) => f.length))).toBeLessThanOrEqual(256 * 1024 + 1);
  });
});
