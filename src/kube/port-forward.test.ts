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

  beforeEach(async () => {
    server = createServer();
    const wss = new WebSocketServer({ server, handleProtocols: () => "v4.channel.k8s.io" });
    wss.on("connection", (ws) => {
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
});
