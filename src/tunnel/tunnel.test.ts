import { constants, createServer as createHttp2Server, type ClientHttp2Stream } from "node:http2";
import { connect, createServer, type Server, type Socket } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { serverOptions } from "../contract/tunnel-protocol.js";
import { connectHandler } from "./connect-handler.js";
import { pipeDuplexes } from "./pipe-duplexes.js";
import { TunnelClient, TunnelRequestError } from "./tunnel-client.js";
import { respondJson, TunnelRouter } from "./tunnel-router.js";

/** A TCP server on loopback; resolves its port. */
async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return (server.address() as { port: number }).port;
}

/** Everything a stream or socket sends until its end. */
function readAll(s: ClientHttp2Stream | Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    s.on("data", (c: Buffer) => chunks.push(c));
    s.once("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    s.once("error", reject);
  });
}

const closed = (s: { once(e: "close", f: () => void): unknown; closed?: boolean }) =>
  new Promise<void>((r) => (s.closed ? r() : s.once("close", r)));

describe("the tunnel over HTTP/2", () => {
  const servers: Server[] = [];
  const clients: TunnelClient[] = [];
  let agentPort: number;
  /** The agent's side of each transport, as accepted. */
  const transports: Socket[] = [];

  beforeEach(async () => {
    // The agent: CONNECT to loopback (not to port 9, which it refuses), and one plain route.
    const router = new TunnelRouter()
      .onConnect(connectHandler((_host, port) => port !== 9))
      .on("GET", "/hello", (stream) => respondJson(stream, { hello: "world" }));
    const h2 = createHttp2Server(serverOptions);
    h2.on("stream", (stream, headers) => router.handle(stream, headers));
    const agent = createServer((socket) => {
      transports.push(socket);
      h2.emit("connection", socket);
    });
    servers.push(agent);
    agentPort = await listen(agent);
  });

  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
    for (const t of transports.splice(0)) t.destroy();
    for (const s of servers.splice(0)) s.close();
  });

  function client(waitMs?: number): TunnelClient {
    const c = new TunnelClient(waitMs);
    clients.push(c);
    c.attach(connect(agentPort, "127.0.0.1"));
    return c;
  }

  async function target(onConnection: (socket: Socket) => void): Promise<number> {
    const server = createServer({ allowHalfOpen: true }, onConnection);
    servers.push(server);
    return listen(server);
  }

  const connectTo = (c: TunnelClient, authority: string) =>
    c.open({ ":method": "CONNECT", ":authority": authority });

  it("carries bytes both ways on many streams side by side", async () => {
    const port = await target((socket) => socket.pipe(socket));
    const c = client();
    const big = Buffer.alloc(3 * 1024 * 1024, "0123456789");
    const echoed = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const stream = await connectTo(c, `127.0.0.1:${port}`);
        const back = readAll(stream);
        stream.end(i === 0 ? big : `stream ${i}`);
        return back;
      }),
    );
    expect(echoed[0]).toBe(big.toString("utf8"));
    expect(echoed.slice(1)).toEqual(Array.from({ length: 19 }, (_, i) => `stream ${i + 1}`));
  });

  it("passes a FIN each way while the other way stays open (half-close)", async () => {
    // The target answers only after the client has finished sending.
    const answersAtEnd = await target((socket) => {
      const got = readAll(socket);
      void got.then((text) => socket.end(`got ${text}`));
    });
    const c = client();
    const first = await connectTo(c, `127.0.0.1:${answersAtEnd}`);
    const answer = readAll(first);
    first.end("ping");
    expect(await answer).toBe("got ping");

    // The target finishes sending first and still reads what comes after.
    let afterFin: Promise<string> = Promise.resolve("");
    const speaksFirst = await target((socket) => {
      afterFin = readAll(socket);
      socket.end("hello");
    });
    const second = await connectTo(c, `127.0.0.1:${speaksFirst}`);
    expect(await readAll(second)).toBe("hello");
    second.end("late words");
    expect(await afterFin).toBe("late words");
  });

  it("answers a failed CONNECT with its reason", async () => {
    const refused = await target(() => undefined);
    servers.at(-1)?.close();
    await closed(servers.at(-1) as never).catch(() => undefined);
    const c = client();
    const failure = async (authority: string) =>
      connectTo(c, authority).then(
        () => undefined,
        (err: TunnelRequestError) => [err.status, err.reason],
      );
    expect(await failure(`127.0.0.1:${refused}`)).toEqual([502, "refused"]);
    expect(await failure("no-port-here")).toEqual([400, "bad-request"]);
    expect(await failure("127.0.0.1:9")).toEqual([403, "refused"]);
    await expect(c.exchange("GET", "/nothing")).rejects.toThrow(/404 no such route/);
    expect(JSON.parse((await c.exchange("GET", "/hello")).toString())).toEqual({ hello: "world" });
  });

  // The other way (a stream reset by the client) reaches the target as a FIN: Node's
  // Http2Stream.close(code) sends END_STREAM before RST_STREAM, and the bridge passes the FIN on.
  it("turns a reset of the target's connection into a reset of the stream", async () => {
    let serverSide: Socket | undefined;
    const resetsOnData = await target((socket) => {
      serverSide = socket;
      socket.once("data", () => socket.resetAndDestroy());
    });
    const c = client();
    const stream = await connectTo(c, `127.0.0.1:${resetsOnData}`);
    stream.on("error", () => undefined);
    stream.write("anything");
    await closed(stream);
    expect(stream.rstCode).toBe(constants.NGHTTP2_CONNECT_ERROR);

    expect(serverSide).toBeDefined();
  });

  it("waits for the next transport after one drops, and fails a request when none comes", async () => {
    const c = client(2_000);
    const ids: number[] = [];
    c.on("closed", (id) => ids.push(id));
    expect(JSON.parse((await c.exchange("GET", "/hello")).toString())).toEqual({ hello: "world" });
    // The transport drops (the port-forward went away).
    transports[0]?.destroy();
    await new Promise<void>((r) => c.once("closed", () => r()));
    expect(ids).toEqual([1]);
    expect(c.connected).toBe(false);
    // A request made now waits for the next transport.
    const waiting = c.exchange("GET", "/hello");
    await new Promise((r) => setTimeout(r, 100));
    c.attach(connect(agentPort, "127.0.0.1"));
    expect(JSON.parse((await waiting).toString())).toEqual({ hello: "world" });
    // A newer transport replaces a live one.
    const first = await c.session();
    const second = c.attach(connect(agentPort, "127.0.0.1"));
    await closed(first);
    expect(await c.session()).toBe(second);

    const alone = new TunnelClient(100);
    clients.push(alone);
    await expect(alone.exchange("GET", "/hello")).rejects.toThrow(/no tunnel session within 100 ms/);
  });

  it("pipeDuplexes carries the tunnel between two connections and closes both when one drops", async () => {
    // A middle hop, as the CLI between the port-forward and the sidecar's pipe.
    let joined: Promise<void> = Promise.resolve();
    let agentLeg: Socket | undefined;
    const middle = createServer((fromClient) => {
      agentLeg = connect(agentPort, "127.0.0.1");
      joined = pipeDuplexes(fromClient, agentLeg);
    });
    servers.push(middle);
    const middlePort = await listen(middle);
    const c = new TunnelClient();
    clients.push(c);
    const clientLeg = connect(middlePort, "127.0.0.1");
    c.attach(clientLeg);
    expect(JSON.parse((await c.exchange("GET", "/hello")).toString())).toEqual({ hello: "world" });
    agentLeg?.destroy();
    await joined;
    await closed(clientLeg);
    expect(c.connected).toBe(false);
  });
});
