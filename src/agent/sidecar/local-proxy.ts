import { createServer, type Server, type Socket } from "node:net";
import type { ClientHttp2Stream } from "node:http2";
import { socksResolve } from "../../contract/host-proxy.js";
import { bridge } from "../../tunnel/bridge.js";
import { TunnelRequestError, type TunnelClient } from "../../tunnel/tunnel-client.js";
import { parseProxyRequest } from "./proxy-request.js";
import {
  parseGreeting,
  parseRequest,
  replyForReason,
  socksReply,
  SocksReply,
  type Incomplete,
} from "./socks5.js";
import { authority, listen } from "./tcp-redirector.js";

const openTimeoutMs = 30_000;

export interface LocalProxyOptions {
  tunnel: TunnelClient;
  port: number;
  host: string;
  /** The IPv4 addresses of a name in the cluster (empty: it does not resolve). */
  resolve: (name: string) => Promise<string[]>;
  log: (message: string) => void;
}

/**
 * The proxy `tp run` gives host processes (contract/host-proxy.ts): SOCKS5 (first byte 5) or HTTP
 * on one port, each connection opened in the cluster through the tunnel as the TCP redirector
 * does for a container.
 */
export async function startLocalProxy(options: LocalProxyOptions): Promise<Server> {
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    socket.setNoDelay(true);
    socket.on("error", () => {});
    serve(socket, options).catch((err: unknown) => {
      options.log(`local proxy: ${err instanceof Error ? err.message : String(err)}`);
      socket.destroy();
    });
  });
  await listen(server, options.port, options.host);
  return server;
}

/** Read from `socket` until `parse` has what it needs; the rest stays for the next parse. */
class Reader {
  private buf = Buffer.alloc(0);
  private ended = false;
  private wake: (() => void) | undefined;

  constructor(private readonly socket: Socket) {
    socket.on("data", this.onData);
    socket.once("end", () => ((this.ended = true), this.wake?.()));
    socket.once("close", () => ((this.ended = true), this.wake?.()));
  }

  private readonly onData = (chunk: Buffer): void => {
    this.buf = Buffer.concat([this.buf, chunk]);
    this.wake?.();
  };

  async read<T extends { length?: number }>(parse: (buf: Buffer) => T | Incomplete): Promise<T | undefined> {
    for (;;) {
      const result = parse(this.buf);
      if (result === "bad") return undefined;
      if (result !== "incomplete") {
        if (result.length !== undefined) this.buf = this.buf.subarray(result.length);
        return result;
      }
      if (this.ended) return undefined;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }

  peek(): Buffer {
    return this.buf;
  }

  /** Stop reading here: what was read and not parsed is returned; the socket is paused. */
  detach(): Buffer {
    this.socket.off("data", this.onData);
    this.socket.pause();
    const rest = this.buf;
    this.buf = Buffer.alloc(0);
    return rest;
  }
}

async function serve(socket: Socket, options: LocalProxyOptions): Promise<void> {
  const reader = new Reader(socket);
  const first = await reader.read((b) => (b.length > 0 ? { length: 0 } : "incomplete"));
  if (!first) return void socket.destroy();
  if (reader.peek()[0] === 5) await serveSocks(socket, reader, options);
  else await serveHttp(socket, reader, options);
}

async function serveSocks(socket: Socket, reader: Reader, options: LocalProxyOptions): Promise<void> {
  const greeting = await reader.read(parseGreeting);
  if (!greeting) return void socket.destroy();
  if (!greeting.methods.includes(0)) return void socket.end(Buffer.from([5, 0xff]));
  socket.write(Buffer.from([5, 0]));
  const request = await reader.read(parseRequest);
  if (!request) return void socket.end(socksReply(SocksReply.failure));
  if (request.command === socksResolve) {
    const addresses = await options.resolve(request.host).catch(() => []);
    const found = addresses[0];
    socket.end(found ? socksReply(SocksReply.succeeded, found) : socksReply(SocksReply.hostUnreachable));
    return;
  }
  if (request.command !== 1) return void socket.end(socksReply(SocksReply.commandNotSupported));
  const rest = reader.detach();
  const stream = await open(options, request.host, request.port).catch((err: unknown) => {
    socket.end(socksReply(replyForReason(err instanceof TunnelRequestError ? (err.reason ?? "") : "")));
    return undefined;
  });
  if (!stream) return;
  socket.write(socksReply(SocksReply.succeeded));
  join(socket, stream, rest);
}

async function serveHttp(socket: Socket, reader: Reader, options: LocalProxyOptions): Promise<void> {
  const request = await reader.read((b) => {
    const r = parseProxyRequest(b);
    return typeof r === "string" ? r : { ...r, length: b.length };
  });
  if (!request) return void socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
  reader.detach();
  const stream = await open(options, request.host, request.port).catch((err: unknown) => {
    const reason = err instanceof TunnelRequestError ? (err.reason ?? "") : "";
    const status = reason === "timeout" ? "504 Gateway Timeout" : "502 Bad Gateway";
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    return undefined;
  });
  if (!stream) return;
  if (request.tunnel) socket.write("HTTP/1.1 200 Connection established\r\n\r\n");
  else stream.write(request.head);
  join(socket, stream, request.rest);
}

function open(options: LocalProxyOptions, host: string, port: number): Promise<ClientHttp2Stream> {
  return options.tunnel.open(
    { ":method": "CONNECT", ":authority": authority(host, port) },
    { timeoutMs: openTimeoutMs },
  );
}

function join(socket: Socket, stream: ClientHttp2Stream, rest: Buffer): void {
  if (socket.destroyed) return void stream.close();
  if (rest.length > 0) stream.write(rest);
  bridge(socket, stream);
  socket.resume();
}
