import { EventEmitter } from "node:events";
import {
  connect,
  type ClientHttp2Session,
  type ClientHttp2Stream,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
} from "node:http2";
import type { Duplex } from "node:stream";
import { TpError } from "../errors.js";
import { superviseSession } from "./keepalive.js";
import { clientSessionOptions, errorHeader } from "../contract/tunnel-protocol.js";

export interface TunnelClientEvents {
  session: [session: ClientHttp2Session, id: number];
  closed: [id: number, reason: string];
}

const ignore = (): void => {};

function transportBytes(transport: Duplex | undefined): number {
  const counted = transport as { bytesRead?: number; bytesWritten?: number } | undefined;
  return (counted?.bytesRead ?? 0) + (counted?.bytesWritten ?? 0);
}

/** The tunnel failed to serve a request (no session in time, an error status, a dropped stream). */
export class TunnelRequestError extends TpError {
  constructor(
    message: string,
    readonly status?: number,
    readonly reason?: string,
  ) {
    super("tunnel", message);
    this.name = "TunnelRequestError";
  }
}

/**
 * The client end of the tunnel. Each transport handed to {@link attach} carries a new HTTP/2
 * session, which replaces the previous one; requests made while there is none wait up to a few
 * seconds for the next and then fail, so nothing hangs for ever.
 */
export class TunnelClient extends EventEmitter<TunnelClientEvents> {
  #session: ClientHttp2Session | undefined;
  #nextId = 1;
  #waiters = new Set<() => void>();
  /** Bytes read and written by the transports of sessions that have closed. */
  #closedBytes = 0;
  #transport: Duplex | undefined;

  constructor(private readonly waitMs = 4_000) {
    super();
  }

  get connected(): boolean {
    return this.#session !== undefined;
  }

  /** Bytes its transports have read and written so far (those that count them, as sockets do). */
  get bytesMoved(): number {
    return this.#closedBytes + transportBytes(this.#transport);
  }

  /** Start a session over a new transport (a `tp-agent pipe` connection). */
  attach(transport: Duplex): ClientHttp2Session {
    const previous = this.#session;
    const id = this.#nextId++;
    const session = connect("http://tp-tunnel", {
      ...clientSessionOptions,
      createConnection: () => transport,
    });
    superviseSession(session);
    this.#session = session;
    this.#transport = transport;
    previous?.destroy();
    let reason = "transport closed";
    session.on("error", (err) => (reason = err.message));
    session.on("goaway", () => (reason = "peer went away"));
    session.once("close", () => {
      transport.destroy();
      this.#closedBytes += transportBytes(transport);
      if (this.#transport === transport) this.#transport = undefined;
      if (this.#session === session) this.#session = undefined;
      this.emit("closed", id, reason);
    });
    for (const wake of this.#waiters) wake();
    this.#waiters.clear();
    this.emit("session", session, id);
    return session;
  }

  /** The current session, waiting up to `waitMs` for one. */
  async session(waitMs = this.waitMs): Promise<ClientHttp2Session> {
    if (this.#session) return this.#session;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(wake);
        reject(new TunnelRequestError(`no tunnel session within ${waitMs} ms`));
      }, waitMs);
      const wake = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.#waiters.add(wake);
    });
    if (!this.#session) throw new TunnelRequestError("tunnel session closed");
    return this.#session;
  }

  /** Open a stream and wait for its response headers; non-2xx statuses reject. */
  async open(
    headers: OutgoingHttpHeaders,
    options: { timeoutMs?: number; session?: ClientHttp2Session; endStream?: boolean } = {},
  ): Promise<ClientHttp2Stream> {
    const session = options.session ?? (await this.session());
    const stream = session.request(headers, { endStream: options.endStream ?? false });
    // Reported through the promise below or by whoever reads the stream.
    stream.on("error", ignore);
    // Nothing of the wait stays on the stream once it is over: a tunnel may hold thousands.
    await new Promise<void>((resolve, reject) => {
      const settle = (err?: TunnelRequestError): void => {
        clearTimeout(timer);
        stream.off("response", onResponse);
        stream.off("close", onClose);
        if (err) reject(err);
        else resolve();
      };
      const onResponse = (res: IncomingHttpHeaders): void => {
        const status = Number(res[":status"] ?? 0);
        if (status >= 200 && status < 300) return settle();
        const reason = String(res[errorHeader] ?? "");
        stream.resume();
        settle(
          new TunnelRequestError(`tunnel answered ${status}${reason ? ` (${reason})` : ""}`, status, reason),
        );
      };
      const onClose = (): void => settle(new TunnelRequestError("tunnel stream closed before an answer"));
      const timer = options.timeoutMs
        ? setTimeout(() => {
            stream.close();
            settle(new TunnelRequestError(`no answer from the tunnel within ${options.timeoutMs} ms`));
          }, options.timeoutMs)
        : undefined;
      stream.on("response", onResponse);
      stream.on("close", onClose);
    });
    return stream;
  }

  /** A whole request/response exchange with a small body. */
  async exchange(
    method: string,
    path: string,
    body?: Buffer,
    options: { timeoutMs?: number; session?: ClientHttp2Session; contentType?: string } = {},
  ): Promise<Buffer> {
    const headers: OutgoingHttpHeaders = { ":method": method, ":path": path };
    if (options.contentType) headers["content-type"] = options.contentType;
    const session = options.session ?? (await this.session());
    const stream = session.request(headers, { endStream: body === undefined });
    if (body !== undefined) stream.end(body);
    const timeoutMs = options.timeoutMs ?? 10_000;
    return await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let status = 0;
      const timer = setTimeout(() => {
        stream.close();
        reject(new TunnelRequestError(`${method} ${path}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      stream.on("response", (res) => (status = Number(res[":status"] ?? 0)));
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("error", () => {});
      stream.once("end", () => {
        clearTimeout(timer);
        const data = Buffer.concat(chunks);
        if (status >= 200 && status < 300) resolve(data);
        else reject(new TunnelRequestError(`${method} ${path}: ${status} ${data.toString("utf8")}`, status));
      });
      stream.once("close", () => {
        clearTimeout(timer);
        reject(new TunnelRequestError(`${method} ${path}: stream closed`));
      });
    });
  }

  /** Close the current session, if any. */
  close(): void {
    this.#session?.destroy();
  }
}
