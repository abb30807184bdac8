// Test support (no test of its own): real servers on loopback addresses, a router before them.
import { once } from "node:events";
import { afterEach } from "vitest";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createH2Server, type Http2Session } from "node:http2";
import { connect, createServer, type Server, type Socket } from "node:net";
import { controlLine, type ControlAnswer, type InterceptFilter } from "../../contract/router-control.js";
import { startRouter, type StartedRouter } from "./router-agent.js";

/** Every 127.x address is loopback on Linux: the router, two sessions and upstream each get one. */
export const hosts = { router: "127.0.0.1", alice: "127.0.0.2", bob: "127.0.0.4", upstream: "127.0.0.3" };

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, hosts.router, resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** What a server saw: one line per request (`name METHOD path body`). */
export type Seen = string[];

async function listen(server: Server | ReturnType<typeof createH2Server>, host: string, port: number) {
  server.listen(port, host);
  await once(server, "listening");
}

/** An HTTP/1 server that answers `name: METHOD path` (and keeps what it saw, body included). */
export async function httpServer(name: string, host: string, port: number, seen: Seen): Promise<Server> {
  const server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      seen.push(`${name} ${req.method} ${req.url} ${body}`.trim());
      res.end(`${name}: ${req.method} ${req.url}`);
    });
  });
  await listen(server, host, port);
  return server;
}

/** An h2c server that answers `name: path` with a gRPC-like trailer `x-status: name`. */
export async function h2Server(name: string, host: string, port: number, seen: Seen) {
  const server = createH2Server();
  const sessions = new Set<Http2Session>();
  server.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
  });
  Object.assign(server, { closeAllConnections: () => sessions.forEach((s) => s.destroy()) });
  server.on("stream", (stream, headers) => {
    let body = "";
    stream.on("data", (c: Buffer) => (body += c.toString()));
    stream.on("end", () => {
      seen.push(`${name} ${headers[":path"]} ${body}`.trim());
      stream.respond({ ":status": 200, "content-type": "text/plain" }, { waitForTrailers: true });
      stream.once("wantTrailers", () => stream.sendTrailers({ "x-status": name }));
      stream.end(`${name}: ${headers[":path"]}`);
    });
  });
  await listen(server, host, port);
  return server;
}

/** A TCP server that greets with `name` and then answers each chunk with `name:` + chunk. */
export async function tcpServer(name: string, host: string, port: number, seen: Seen): Promise<Server> {
  const server = createServer((socket) => {
    socket.on("error", () => undefined);
    socket.write(`hello from ${name}\n`);
    socket.on("data", (c: Buffer) => {
      seen.push(`${name} ${c.toString().trim()}`);
      socket.write(`${name}:${c.toString()}`);
    });
  });
  await listen(server, host, port);
  return server;
}

export interface Fixture {
  port: number;
  controlPort: number;
  router: StartedRouter;
  logs: string[];
}

/** A router on hosts.router:port whose upstream is hosts.upstream:upstreamPort. */
export async function startTestRouter(
  port: number,
  upstreamPort: number,
  http: "auto" | "raw" = "auto",
  sniffTimeoutMs = 200,
): Promise<Fixture> {
  const controlPort = await freePort();
  const logs: string[] = [];
  const router = await startRouter({
    config: {
      service: "web",
      namespace: "test",
      controlPort,
      ports: [{ port, upstream: { host: hosts.upstream, port: upstreamPort }, http }],
    },
    host: hosts.router,
    sniffTimeoutMs,
    log: (m) => logs.push(m),
  });
  return { port, controlPort, router, logs };
}

/** A session's control connection: registered (or refused), then tunnel reports. */
export interface TestSession {
  answer: ControlAnswer;
  socket: Socket;
  tunnel(up: boolean): Promise<void>;
  close(): void;
}

export async function registerSession(
  fixture: Fixture,
  sessionId: string,
  target: string,
  filter: InterceptFilter,
  mirror = false,
): Promise<TestSession> {
  const socket = connect(fixture.controlPort, hosts.router);
  socket.write(controlLine({ type: "register", sessionId, filter, mirror, target: { host: target } }));
  const [line] = (await once(socket, "data")) as [Buffer];
  const answer = JSON.parse(line.toString().trim()) as ControlAnswer;
  return {
    answer,
    socket,
    tunnel: async (up) => {
      const before = fixture.logs.length;
      socket.write(controlLine({ type: "tunnel", up }));
      await until(() => fixture.logs.slice(before).some((l) => l.endsWith(`tunnel ${up ? "up" : "down"}`)));
    },
    close: () => socket.destroy(),
  };
}

/** Wait (up to 2 s) for a condition. */
export async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!condition()) throw new Error("condition not met in 2 s");
}

type Closable = { close(): unknown };

/** The router, servers and clients of a test file's current test: all closed after each test. */
export interface Scope {
  fixture: Fixture | undefined;
  servers: Closable[];
  /** Run after the test (clients to destroy). */
  cleanups: (() => void)[];
}

export function routerTestScope(): Scope {
  const scope: Scope = { fixture: undefined, servers: [], cleanups: [] };
  afterEach(async () => {
    for (const cleanup of scope.cleanups.splice(0)) cleanup();
    for (const s of scope.servers.splice(0)) stopServer(s);
    await scope.fixture?.router.close();
    scope.fixture = undefined;
  });
  return scope;
}

/** Close a server and its kept-alive connections. */
export function stopServer(server: Closable): void {
  (server as { closeAllConnections?: () => void }).closeAllConnections?.();
  server.close();
}

/**
 * Servers made by `make` for upstream and for each named session (on the router's port, at the
 * session's address), and a router before them; `scope.servers` lists them in that order.
 */
export async function startBehindRouter(
  scope: Scope,
  make: (name: string, host: string, port: number) => Promise<Closable>,
  sessions: ("alice" | "bob")[],
  http: "auto" | "raw" = "auto",
): Promise<Fixture> {
  const port = await freePort();
  const upstreamPort = await freePort();
  scope.servers.push(await make("upstream", hosts.upstream, upstreamPort));
  for (const name of sessions) scope.servers.push(await make(name, hosts[name], port));
  scope.fixture = await startTestRouter(port, upstreamPort, http);
  return scope.fixture;
}
