import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { classify } from "./sniff.js";
import {
  hosts,
  registerSession,
  routerTestScope,
  startBehindRouter,
  tcpServer,
  until,
  type Seen,
} from "./testing.js";

const scope = routerTestScope();

/** A client connection: collects what it receives. */
async function dial(port: number): Promise<{ socket: Socket; received: () => string }> {
  const socket = connect(port, hosts.router);
  scope.cleanups.push(() => socket.destroy());
  let text = "";
  socket.on("data", (c: Buffer) => (text += c.toString()));
  await once(socket, "connect");
  return { socket, received: () => text };
}

function tcpSetUp(http: "auto" | "raw", seen: Seen) {
  return startBehindRouter(scope, (name, host, port) => tcpServer(name, host, port, seen), ["alice"], http);
}

describe("the router, for connections that are not HTTP", () => {
  it("sends a raw port's connections upstream, unless a session takes everything", async () => {
    const f = await tcpSetUp("raw", []);
    await registerSession(f, "s1", hosts.alice, { headers: { "x-user": "alice" } });
    const first = await dial(f.port);
    first.socket.write("ping");
    await until(() => first.received().includes("upstream:ping"));
    await registerSession(f, "s2", hosts.alice, { headers: {} });
    const second = await dial(f.port);
    second.socket.write("ping");
    await until(() => second.received().includes("alice:ping"));
    expect(second.received()).toBe("hello from alice\nalice:ping");
  });

  it("copies a raw connection to a mirroring session and gives the client only upstream's bytes", async () => {
    const seen: Seen = [];
    const f = await tcpSetUp("raw", seen);
    await registerSession(f, "s1", hosts.alice, { headers: {} }, true);
    const c = await dial(f.port);
    await until(() => c.received().includes("hello from upstream"));
    c.socket.write("data");
    await until(() => seen.includes("alice data") && c.received().includes("upstream:data"));
    expect(c.received()).toBe("hello from upstream\nupstream:data");
  });

  it("hands a silent client of an auto port to a server that speaks first", async () => {
    const f = await tcpSetUp("auto", []);
    const c = await dial(f.port);
    await until(() => c.received() === "hello from upstream\n");
  });

  it("tells HTTP/1.x and h2c from other protocols by their first bytes", () => {
    const b = (t: string) => Buffer.from(t);
    expect(classify(b("GET /x HTTP/1.1\r\nHost: a\r\n"))).toBe("http1");
    expect(classify(b("GET /x HT"))).toBeUndefined();
    expect(classify(b("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"))).toBe("h2c");
    expect(classify(b("PRI * HTTP/2"))).toBeUndefined();
    expect(classify(b("\x16\x03\x01\x02\x00"))).toBe("raw");
    expect(classify(b("*1\r\n$4\r\nPING\r\n"))).toBe("raw");
    expect(classify(b("GET /x SMTP/1.1\r\n"))).toBe("raw");
    expect(classify(b(`GET /${"a".repeat(9000)}`))).toBe("raw");
  });
});

describe("the router, for WebSocket", () => {
  it("routes a WebSocket by its upgrade request and carries it both ways", async () => {
    const echo = async (name: string, host: string, port: number) => {
      const wss = new WebSocketServer({ host, port });
      wss.on("connection", (ws) => ws.on("message", (m) => ws.send(`${name}:${m.toString()}`)));
      await once(wss, "listening");
      return wss;
    };
    const f = await startBehindRouter(scope, echo, ["alice"]);
    await registerSession(f, "s1", hosts.alice, { headers: { "x-user": "alice" } });
    const talk = async (headers: Record<string, string>) => {
      const ws = new WebSocket(`ws://${hosts.router}:${f.port}/chat`, { headers });
      scope.cleanups.push(() => ws.terminate());
      await once(ws, "open");
      ws.send("hi");
      const [message] = (await once(ws, "message")) as [Buffer];
      return message.toString();
    };
    expect(await talk({ "x-user": "alice" })).toBe("alice:hi");
    expect(await talk({})).toBe("upstream:hi");
  });
});
