import {
  Agent,
  createServer,
  request,
  type ClientRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { Duplex } from "node:stream";
import type { Socket } from "node:net";
import { BodyRelay } from "./body-relay.js";
import { targetConnectTimeoutMs, teeTo, type Endpoint } from "./connect.js";
import { endToEndHeaders, http1Info, requestHead } from "./headers.js";
import { proxyConnection } from "./raw-proxy.js";
import type { Rule, Rules } from "./rules.js";

/** What one of the router's ports needs to route. */
export interface PortContext {
  port: number;
  upstream: Endpoint;
  rules: Rules;
  log: (message: string) => void;
}

/** Connections kept open between requests, shared by every port of the router. */
export interface Agents {
  upstream: Agent;
  target: Agent;
  mirror: Agent;
}

export function createAgents(): Agents {
  // Idle connections go before servers close them (Node's servers: after 5 s); a server's
  // Keep-Alive header says when it does, and the agent honours it.
  const common = { keepAlive: true, scheduling: "lifo" as const, timeout: 4000 };
  return {
    upstream: new Agent({ ...common, maxFreeSockets: 256 }),
    target: new Agent({ ...common, maxFreeSockets: 64 }),
    mirror: new Agent({ ...common, maxSockets: 32, maxFreeSockets: 32 }),
  };
}

/** One request being answered, whichever destination it goes to. */
interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  headers: string[];
  relay: BodyRelay;
  startBody: (out: ClientRequest) => void;
}

/** Copies in flight at most (all sessions): more are dropped rather than queued. */
const maxMirrorsInFlight = 256;
const mirrorTimeoutMs = 30_000;
let mirrorsInFlight = 0;

/**
 * HTTP/1.x on one port: each request of a keep-alive connection is routed on its own (so one
 * connection may alternate between the session and upstream), upgrades (WebSocket) by their
 * upgrade request, after which the connection is carried whole.
 */
export class Http1Proxy {
  readonly #server: Server;

  constructor(
    private readonly ctx: PortContext,
    private readonly agents: Agents,
  ) {
    this.#server = createServer(
      { keepAliveTimeout: 60_000, requestTimeout: 0, headersTimeout: 60_000 },
      (req, res) => this.#request(req, res),
    );
    const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.#upgrade(req, socket as Socket, head);
    this.#server.on("upgrade", upgrade);
    this.#server.on("connect", upgrade);
  }

  /** Serve a connection whose first bytes (`head`) were already read. */
  accept(socket: Socket, head: Buffer): void {
    socket.unshift(head);
    this.#server.emit("connection", socket);
    socket.resume();
  }

  close(): void {
    this.#server.closeAllConnections();
  }

  #request(req: IncomingMessage, res: ServerResponse): void {
    const route = this.ctx.rules.route(http1Info(req));
    const headers = endToEndHeaders(req.rawHeaders);
    const copies = route.mirrors.flatMap((rule) => this.#copy(req, rule, headers) ?? []);
    const relay = new BodyRelay(req);
    let first = true;
    const startBody = (out: ClientRequest) => {
      relay.sendTo(out);
      if (first) for (const copy of copies) teeTo(req, copy);
      first = false;
    };
    const target = route.primary ? { host: route.primary.target, port: this.ctx.port } : undefined;
    this.#send({ req, res, headers, relay, startBody }, target, false);
  }

  /**
   * Send the request to target (a session) or upstream; answer the client with the response.
   * A session that fails before it answers is passed over for upstream; a kept-alive upstream
   * connection that the server had just closed is tried once more (when the body was kept).
   */
  #send(exchange: Exchange, target: Endpoint | undefined, retried: boolean): void {
    const { req, res, headers, relay, startBody } = exchange;
    const to = target ?? this.ctx.upstream;
    const out = request({
      host: to.host,
      port: to.port,
      method: req.method,
      path: req.url,
      headers,
      setHost: false,
      agent: target ? this.agents.target : this.agents.upstream,
    });
    let responded = false;
    out.once("socket", (socket: Socket) => {
      socket.setNoDelay(true);
      if (!socket.connecting) return startBody(out);
      const timer = target
        ? setTimeout(() => out.destroy(new Error("connect timeout")), targetConnectTimeoutMs)
        : undefined;
      socket.once("connect", () => {
        clearTimeout(timer);
        startBody(out);
      });
      socket.once("close", () => clearTimeout(timer));
    });
    out.once("response", (answer) => {
      responded = true;
      relay.stopKeeping();
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, endToEndHeaders(answer.rawHeaders));
      answer.pipe(res, { end: false });
      answer.once("end", () => {
        const t = answer.rawTrailers;
        if (t.length > 0) res.addTrailers(pairs(t));
        res.end();
      });
      answer.once("error", () => res.destroy());
    });
    out.once("error", (err) => {
      if (responded || res.headersSent) return void res.destroy();
      if (relay.replayable && target) {
        this.ctx.log(`${to.host}:${to.port}: ${err.message}; to upstream instead`);
        return this.#send(exchange, undefined, retried);
      }
      if (relay.replayable && out.reusedSocket && !retried) return this.#send(exchange, target, true);
      this.ctx.log(`${to.host}:${to.port}: ${err.message}`);
      res
        .writeHead(502, { "content-type": "text/plain" })
        .end(`tp router: ${to.host}:${to.port}: ${err.message}\n`);
    });
    res.once("close", () => {
      if (!res.writableFinished) out.destroy();
    });
  }

  /** A copy of the request for a mirroring session, or none when too many are in flight. */
  #copy(req: IncomingMessage, rule: Rule, headers: string[]): ClientRequest | undefined {
    if (mirrorsInFlight >= maxMirrorsInFlight) return undefined;
    mirrorsInFlight++;
    const copy = request({
      host: rule.target,
      port: this.ctx.port,
      method: req.method,
      path: req.url,
      headers,
      setHost: false,
      agent: this.agents.mirror,
      timeout: mirrorTimeoutMs,
    });
    copy.once("close", () => mirrorsInFlight--);
    copy.on("error", () => undefined);
    copy.once("timeout", () => copy.destroy());
    copy.once("response", (answer) => answer.resume());
    return copy;
  }

  #upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const route = this.ctx.rules.route(http1Info(req));
    const bytes = Buffer.concat([requestHead(req), head]);
    void proxyConnection(socket, bytes, false, route, this.ctx.port, this.ctx.upstream, this.ctx.log);
  }
}

/** Raw name/value list → [name, value] pairs. */
function pairs(raw: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i] as string, raw[i + 1] as string]);
  return out;
}
