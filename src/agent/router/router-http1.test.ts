import { Agent, request } from "node:http";
import { connect, createServer } from "node:net";
import { describe, expect, it } from "vitest";
import {
  hosts,
  httpServer,
  registerSession,
  routerTestScope,
  startBehindRouter,
  stopServer,
  until,
  type Seen,
} from "./testing.js";

const scope = routerTestScope();
let agent: Agent | undefined;

/** Upstream, alice's and bob's servers, and a router before them. */
async function setUp(seen: Seen) {
  agent = new Agent({ keepAlive: true, maxSockets: 1 });
  scope.cleanups.push(() => agent?.destroy());
  return startBehindRouter(scope, (name, host, port) => httpServer(name, host, port, seen), ["alice", "bob"]);
}

/** Stop one of the servers (0: upstream, 1: alice, 2: bob). */
const stop = (i: number) => stopServer(scope.servers[i] as { close(): unknown });

/** Alice takes `x-user: alice`; a connection to the router on which the test writes requests by hand. */
async function handWritten() {
  const seen: Seen = [];
  const f = await setUp(seen);
  await registerSession(f, "s1", hosts.alice, { headers: { "x-user": "alice" } });
  const socket = connect(f.port, hosts.router);
  scope.cleanups.push(() => socket.destroy());
  let received = "";
  socket.on("data", (c: Buffer) => (received += c.toString()));
  return { seen, socket, answer: () => received };
}

/** A request through the router on the one kept-alive connection of `agent`. */
function get(
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ text: string; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: hosts.router, port: scope.fixture?.port, path, method: body ? "POST" : "GET", headers, agent },
      (res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString()));
        res.on("end", () => resolve({ text, reused: req.reusedSocket }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

describe("the router, for HTTP/1.1", () => {
  it("routes each request of one kept-alive connection on its own", async () => {
    const f = await setUp([]);
    expect((await registerSession(f, "s1", hosts.alice, { headers: { "x-user": "alice" } })).answer).toEqual({
      type: "registered",
    });
    const answers = [];
    for (const user of ["alice", "nobody", "alice", undefined, "alice"])
      answers.push(await get("/p", user ? { "X-User": user } : {}));
    expect(answers.map((a) => a.text)).toEqual([
      "alice: GET /p",
      "upstream: GET /p",
      "alice: GET /p",
      "upstream: GET /p",
      "alice: GET /p",
    ]);
    expect(answers.slice(1).every((a) => a.reused)).toBe(true);
  });

  it("reads a request that comes in pieces, its request line too, and the next one on its connection", async () => {
    const { seen, socket, answer } = await handWritten();
    socket.write("POST /split HT");
    await new Promise((r) => setTimeout(r, 50));
    socket.write("TP/1.1\r\nHost: web\r\nX-User: alice\r\nContent-Length: 10\r\n\r\nhello");
    await new Promise((r) => setTimeout(r, 50));
    socket.write("world");
    await until(() => answer().includes("alice: POST /split"));
    socket.write("GET /next HTTP/1.1\r\nHost: web\r\n\r\n");
    await until(() => answer().includes("upstream: GET /next"));
    expect(seen).toEqual(["alice POST /split helloworld", "upstream GET /next"]);
  });

  it("carries a chunked request body that comes in pieces", async () => {
    const { seen, socket, answer } = await handWritten();
    socket.write("POST /c HTTP/1.1\r\nHost: web\r\nX-User: alice\r\nTransfer-Encoding: chunked\r\n\r\n");
    socket.write("3\r\nabc\r\n");
    await new Promise((r) => setTimeout(r, 30));
    socket.write("2\r\nde\r\n0\r\n\r\n");
    await until(() => answer().includes("alice: POST /c"));
    expect(seen).toEqual(["alice POST /c abcde"]);
  });

  it("sends each of two sessions only its own requests, and matches a path prefix", async () => {
    const f = await setUp([]);
    await registerSession(f, "s1", hosts.alice, { headers: { "x-user": "alice" } });
    await registerSession(f, "s2", hosts.bob, { headers: { "x-user": "bob" }, pathPrefix: "/api" });
    expect((await get("/api/x", { "x-user": "bob" })).text).toBe("bob: GET /api/x");
    expect((await get("/web", { "x-user": "bob" })).text).toBe("upstream: GET /web");
    expect((await get("/api/x", { "x-user": "alice" })).text).toBe("alice: GET /api/x");
    expect((await get("/api/x", { "x-user": "Alice" })).text).toBe("upstream: GET /api/x");
  });

  it("copies every request to a mirroring session, body included, and answers with upstream's", async () => {
    const seen: Seen = [];
    const f = await setUp(seen);
    await registerSession(f, "s1", hosts.alice, { headers: {} }, true);
    expect((await get("/m", {}, "payload")).text).toBe("upstream: POST /m");
    expect((await get("/n")).text).toBe("upstream: GET /n");
    await until(() => seen.filter((s) => s.startsWith("alice")).length === 2);
    expect(seen.filter((s) => s.startsWith("alice")).sort()).toEqual([
      "alice GET /n",
      "alice POST /m payload",
    ]);
    expect(seen.filter((s) => s.startsWith("upstream")).sort()).toEqual([
      "upstream GET /n",
      "upstream POST /m payload",
    ]);
  });

  it(
    "answers the original at once when a mirroring session never answers, or is not there",
    { timeout: 30_000 },
    async () => {
      const f = await setUp([]);
      // bob's address gets a server that accepts and never reads nor answers; alice's is closed.
      const silent = createServer((socket) => socket.pause());
      stop(2);
      await new Promise<void>((resolve) => silent.listen(f.port, hosts.bob, resolve));
      scope.servers.push(silent);
      stop(1);
      await registerSession(f, "s1", hosts.bob, { headers: {} }, true);
      await registerSession(f, "s2", hosts.alice, { headers: { "x-m": "1" } }, true);
      const started = Date.now();
      for (let i = 0; i < 3; i++)
        expect((await get(`/q${i}`, { "x-m": "1" }, "x".repeat(8 * 1024 * 1024))).text).toBe(
          `upstream: POST /q${i}`,
        );
      // A copy that waited for the silent session would never end: 8 MiB is far past the 1 MiB a
      // copy may fall behind. The bound is loose for a loaded machine.
      expect(Date.now() - started).toBeLessThan(15_000);
    },
  );

  it("gives a filterless session every request; the first registered rule that matches wins", async () => {
    const f = await setUp([]);
    await registerSession(f, "s1", hosts.bob, { headers: { "x-user": "bob" } });
    await registerSession(f, "s2", hosts.alice, { headers: {} });
    expect((await get("/a")).text).toBe("alice: GET /a");
    expect((await get("/b", { "x-user": "bob" })).text).toBe("bob: GET /b");
  });

  it("sends a session's requests upstream while its tunnel is down, and back after", async () => {
    const f = await setUp([]);
    const session = await registerSession(f, "s1", hosts.alice, { headers: { "x-user": "alice" } });
    await session.tunnel(false);
    expect((await get("/t", { "x-user": "alice" })).text).toBe("upstream: GET /t");
    await session.tunnel(true);
    expect((await get("/t", { "x-user": "alice" })).text).toBe("alice: GET /t");
  });

  it("sends a session's requests upstream when its target refuses connections, body included", async () => {
    const f = await setUp([]);
    await registerSession(f, "s1", hosts.alice, { headers: { "x-user": "alice" } });
    expect((await get("/r", { "x-user": "alice" })).text).toBe("alice: GET /r");
    stop(1);
    expect((await get("/r", { "x-user": "alice" }, "body")).text).toBe("upstream: POST /r");
  });

  it("forgets a session's rule when its control connection closes", async () => {
    const f = await setUp([]);
    const session = await registerSession(f, "s1", hosts.alice, { headers: { "x-user": "alice" } });
    expect((await get("/c", { "x-user": "alice" })).text).toBe("alice: GET /c");
    session.close();
    await until(() => f.router.rules.size === 0);
    expect((await get("/c", { "x-user": "alice" })).text).toBe("upstream: GET /c");
  });
});
