import {
  connect as connectH2,
  constants,
  createServer,
  type ClientHttp2Session,
  type ClientHttp2Stream,
  type Http2Server,
  type Http2Session,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  type ServerHttp2Stream,
} from "node:http2";
import { connect, type Socket } from "node:net";
import { BodyRelay } from "./body-relay.js";
import { targetConnectTimeoutMs, teeTo, type Endpoint } from "./connect.js";
import type { PortContext } from "./http1-proxy.js";
import type { Rule } from "./rules.js";

const { NGHTTP2_CANCEL, NGHTTP2_INTERNAL_ERROR, NGHTTP2_FLAG_END_STREAM } = constants;
/** Copies in flight per client connection at most: more are dropped rather than queued. */
const maxCopiesPerConnection = 64;
const mirrorTimeoutMs = 30_000;

/** One stream being answered, whichever destination it goes to. */
interface Exchange {
  stream: ServerHttp2Stream;
  headers: IncomingHttpHeaders;
  /** The client sent no body (END_STREAM with its headers). */
  ended: boolean;
  relay: BodyRelay;
  startBody: (out: ClientHttp2Stream) => void;
}

interface Pooled {
  session: ClientHttp2Session;
  ready: Promise<ClientHttp2Session>;
}

/**
 * HTTP/2 with prior knowledge (h2c, gRPC) on one port: each stream is routed on its own. A
 * client connection gets its own connections to upstream and to each session it reaches, so
 * that upstream balances connections over the workload's pods as it would without the router.
 */
export class H2Proxy {
  readonly #server: Http2Server;
  readonly #pools = new WeakMap<Http2Session, Map<string, Pooled>>();
  readonly #copies = new WeakMap<Http2Session, number>();

  constructor(private readonly ctx: PortContext) {
    this.#server = createServer();
    this.#server.on("session", (session) => {
      const pool = new Map<string, Pooled>();
      this.#pools.set(session, pool);
      session.on("error", () => undefined);
      session.once("close", () => {
        for (const p of pool.values()) p.session.close();
      });
    });
    this.#server.on("stream", (stream, headers, flags) => this.#stream(stream, headers, flags));
  }

  /** Serve a connection whose first bytes (`head`, the preface) were already read. */
  accept(socket: Socket, head: Buffer): void {
    socket.unshift(head);
    this.#server.emit("connection", socket);
  }

  #stream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, flags: number): void {
    stream.on("error", () => undefined);
    const header = (name: string) => {
      const v = headers[name];
      return Array.isArray(v) ? v.join(", ") : v;
    };
    const route = this.ctx.rules.route({ header, path: headers[":path"] ?? "/" });
    const ended = (flags & NGHTTP2_FLAG_END_STREAM) !== 0;
    const copies = route.mirrors.flatMap((rule) => this.#copy(stream, headers, ended, rule) ?? []);
    const target = route.primary ? { host: route.primary.target, port: this.ctx.port } : undefined;
    const relay = new BodyRelay(stream);
    let first = true;
    const startBody = (out: ClientHttp2Stream) => {
      if (ended) return;
      relay.sendTo(out);
      if (first) for (const copy of copies) teeTo(stream, copy);
      first = false;
    };
    void this.#forward({ stream, headers, ended, relay, startBody }, target);
  }

  /**
   * Send the stream to target (a session) or upstream, and its answer back. A session that
   * fails before it answers is passed over for upstream (the body kept so far goes again).
   */
  async #forward(exchange: Exchange, target: Endpoint | undefined): Promise<void> {
    const { stream, headers, ended, relay, startBody } = exchange;
    const to = target ?? this.ctx.upstream;
    const fail = (message: string) => {
      this.ctx.log(`${to.host}:${to.port}: ${message}${target ? "; to upstream instead" : ""}`);
      if (target) return void this.#forward(exchange, undefined);
      if (stream.destroyed || stream.closed) return;
      if (!stream.headersSent) stream.respond({ ":status": 502 }, { endStream: true });
      else stream.close(NGHTTP2_INTERNAL_ERROR);
    };
    let session: ClientHttp2Session;
    try {
      session = await this.#pooled(stream.session, to, target !== undefined).ready;
    } catch (err) {
      return fail((err as Error).message);
    }
    if (stream.destroyed) return;
    const out = session.request(requestHeaders(headers), { endStream: ended });
    out.on("error", () => undefined);
    startBody(out);
    let trailers: OutgoingHttpHeaders | undefined;
    let responded = false;
    out.once("trailers", (t) => (trailers = t));
    out.once("response", (answer, answerFlags) => {
      responded = true;
      relay.stopKeeping();
      if (stream.destroyed) return;
      if ((answerFlags & NGHTTP2_FLAG_END_STREAM) !== 0) return stream.respond(answer, { endStream: true });
      stream.respond(answer, { waitForTrailers: true });
      stream.once("wantTrailers", () => stream.sendTrailers(trailers ?? {}));
      out.pipe(stream);
    });
    out.once("close", () => {
      if (stream.destroyed || stream.closed) return;
      if (!responded && relay.replayable) return fail(`stream closed (${out.rstCode ?? "no code"})`);
      if (out.rstCode !== undefined && out.rstCode !== constants.NGHTTP2_NO_ERROR) stream.close(out.rstCode);
      else if (!stream.headersSent) stream.respond({ ":status": 502 }, { endStream: true });
    });
    stream.once("close", () => {
      if (!out.closed) out.close(stream.rstCode || NGHTTP2_CANCEL);
    });
  }

  /** This client connection's connection to `to` (made once, until it closes). */
  #pooled(owner: Http2Session | null | undefined, to: Endpoint, isTarget: boolean): Pooled {
    const pool = (owner && this.#pools.get(owner)) ?? new Map<string, Pooled>();
    const key = `${to.host}:${to.port}`;
    const existing = pool.get(key);
    if (existing && !existing.session.closed && !existing.session.destroyed) return existing;
    // The authority is only a default for :authority (each stream carries the client's own).
    const session = connectH2("http://localhost", {
      createConnection: () => connect({ host: to.host, port: to.port, noDelay: true }),
    });
    session.on("error", () => undefined);
    const ready = new Promise<ClientHttp2Session>((resolve, reject) => {
      const timer = isTarget
        ? setTimeout(() => session.destroy(new Error("connect timeout")), targetConnectTimeoutMs)
        : undefined;
      session.once("connect", () => {
        clearTimeout(timer);
        resolve(session);
      });
      session.once("error", (err) => {
        clearTimeout(timer);
        reject(err);
      });
      session.once("close", () => reject(new Error("connection closed")));
    });
    ready.catch(() => undefined);
    const pooled = { session, ready };
    const forget = () => {
      if (pool.get(key) === pooled) pool.delete(key);
    };
    session.once("close", forget);
    session.once("goaway", forget);
    pool.set(key, pooled);
    return pooled;
  }

  /** A copy of the stream for a mirroring session (its answer dropped), or none when too many. */
  #copy(
    stream: ServerHttp2Stream,
    headers: IncomingHttpHeaders,
    ended: boolean,
    rule: Rule,
  ): ClientHttp2Stream | undefined {
    const owner = stream.session;
    if (!owner) return undefined;
    const inFlight = this.#copies.get(owner) ?? 0;
    if (inFlight >= maxCopiesPerConnection) return undefined;
    const { session } = this.#pooled(owner, { host: rule.target, port: this.ctx.port }, true);
    if (session.closed || session.destroyed) return undefined;
    const copy = session.request(requestHeaders(headers), { endStream: ended });
    this.#copies.set(owner, inFlight + 1);
    copy.on("error", () => undefined);
    copy.setTimeout(mirrorTimeoutMs, () => copy.close(NGHTTP2_CANCEL));
    copy.once("close", () => this.#copies.set(owner, (this.#copies.get(owner) ?? 1) - 1));
    copy.resume();
    return copy;
  }
}

/** The client's request headers as they go on (HTTP/2 has no connection-specific fields to drop). */
function requestHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name] = value;
  return out;
}
