import { once } from "node:events";
import { createServer as httpServer, type IncomingMessage } from "node:http";
import { connect, createServer, type AddressInfo, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { serveSpdyPortForward, upgradeToSpdy, spdyPortForwardProtocols } from "./port-forward-spdy.js";
import { SpdySession } from "./spdy/session.js";
import type { SpdyStream } from "./spdy/stream.js";

const cleanup: (() => void)[] = [];
afterEach(() => cleanup.splice(0).forEach((f) => f()));

async function listen(s: ReturnType<typeof createServer> | ReturnType<typeof httpServer>): Promise<number> {
  s.listen(0, "127.0.0.1");
  await once(s, "listening");
  cleanup.push(() => s.close());
  return (s.address() as AddressInfo).port;
}

/** A kubelet-like server whose port-forward dials local ports; the raw upgrade answer and a client session. */
async function forwarder(protocols: string[]): Promise<{ head: string; client?: SpdySession }> {
  const kubelet = httpServer();
  kubelet.on("upgrade", (req: IncomingMessage, socket, head) => {
    const session = upgradeToSpdy(req, socket, head, spdyPortForwardProtocols);
    if (!session) return;
    const dial = (port: number) =>
      new Promise<Socket>((resolve, reject) => {
        const s = connect({ port, host: "127.0.0.1", allowHalfOpen: true });
        s.once("connect", () => resolve(s)).once("error", reject);
      });
    serveSpdyPortForward(session, dial, "pfs_default, uid 1");
  });
  const port = await listen(kubelet);
  const sock = connect({ port, host: "127.0.0.1" });
  cleanup.push(() => sock.destroy());
  sock.write(
    `POST /portForward/default/pfs HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n` +
      protocols.map((p) => `X-Stream-Protocol-Version: ${p}\r\n`).join("") +
      "\r\n",
  );
  let head = "";
  while (!head.includes("\r\n\r\n")) head += ((await once(sock, "data")) as [Buffer])[0].toString("latin1");
  if (!head.startsWith("HTTP/1.1 101")) return { head };
  return { head, client: new SpdySession(sock, { server: false }) };
}

function readAll(s: SpdyStream): Promise<string> {
  const chunks: Buffer[] = [];
  s.on("data", (d: Buffer) => chunks.push(d));
  return once(s, "end").then(() => Buffer.concat(chunks).toString());
}

/** What kubectl does per connection: an error stream (closed at once), then a data stream. */
function open(client: SpdySession, port: number, requestId: number): { data: SpdyStream; error: SpdyStream } {
  const h = { port: [String(port)], requestid: [String(requestId)] };
  const error = client.openStream({ ...h, streamtype: ["error"] });
  error.end();
  const data = client.openStream({ ...h, streamtype: ["data"] });
  return { data, error };
}

describe("the kubelet's SPDY port-forward", () => {
  it("upgrades with the negotiated protocol and refuses a client that offers none it has", async () => {
    const ok = await forwarder(["portforward.k8s.io"]);
    expect(ok.head).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
    expect(ok.head).toMatch(/\r\nUpgrade: SPDY\/3\.1\r\n/);
    expect(ok.head).toMatch(/\r\nX-Stream-Protocol-Version: portforward\.k8s\.io\r\n/);
    const refused = await forwarder(["v9.portforward.example"]);
    expect(refused.head).toMatch(/^HTTP\/1\.1 403 /);
  });

  it("forwards each pair of streams to its port, half-closes, and leaves the error stream empty", async () => {
    const upper = createServer({ allowHalfOpen: true }, (s) => {
      const chunks: Buffer[] = [];
      s.on("data", (d: Buffer) => chunks.push(d));
      s.on("end", () => s.end(Buffer.concat(chunks).toString().toUpperCase()));
    });
    const port = await listen(upper);
    const { client } = await forwarder(["portforward.k8s.io"]);
    const conns = [0, 1, 2].map((i) => open(client!, port, i));
    const results = conns.map(({ data, error }) => Promise.all([readAll(data), readAll(error)]));
    conns.forEach(({ data }, i) => data.end(`hello ${i}`));
    expect(await Promise.all(results)).toEqual([
      ["HELLO 0", ""],
      ["HELLO 1", ""],
      ["HELLO 2", ""],
    ]);
  });

  it("writes the reason a port cannot be reached to the error stream, as the kubelet words it", async () => {
    // Port 1 (tcpmux): nothing listens there. (A port freed by a server of this test could be
    // taken by another test file's server meanwhile.)
    const closed = 1;
    const { client } = await forwarder(["portforward.k8s.io"]);
    const { data, error } = open(client!, closed, 0);
    const [message, rest] = await Promise.all([readAll(error), readAll(data)]);
    expect(message).toMatch(
      new RegExp(`^error forwarding port ${closed} to pod pfs_default, uid 1: .*ECONNREFUSED`),
    );
    expect(rest).toBe("");
  });
});
