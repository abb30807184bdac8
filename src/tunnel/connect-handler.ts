import type { ServerHttp2Stream } from "node:http2";
import { bridge } from "./bridge.js";
import { dial } from "./dial.js";
import { errorHeader, type ConnectErrorCode } from "../contract/tunnel-protocol.js";
import type { StreamHandler } from "./tunnel-router.js";

const connectTimeoutMs = 10_000;

/** Split `host:port` / `[v6]:port`; undefined when malformed. */
export function parseAuthority(authority: string): { host: string; port: number } | undefined {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(authority) ?? /^([^:[\]]+):(\d+)$/.exec(authority);
  if (!m?.[1] || !m[2]) return undefined;
  const port = Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { host: m[1], port };
}

/** The tunnel's name for a failed dial. */
export function connectErrorCode(err: NodeJS.ErrnoException): ConnectErrorCode {
  switch (err.code) {
    case "ECONNREFUSED":
      return "refused";
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "unreachable";
    case "ETIMEDOUT":
      return "timeout";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "not-found";
    case "ECONNRESET":
      return "reset";
    default:
      return "error";
  }
}

/**
 * `CONNECT host:port`: dial it from here (names resolved by this side's resolver) and join the
 * connection to the stream. `allow` can refuse destinations (answered 403).
 */
export function connectHandler(allow?: (host: string, port: number) => boolean): StreamHandler {
  return (stream: ServerHttp2Stream, headers) => {
    const target = parseAuthority(headers[":authority"] ?? "");
    if (!target) {
      fail(stream, 400, "bad-request");
      return;
    }
    if (allow && !allow(target.host, target.port)) {
      fail(stream, 403, "refused");
      return;
    }
    const timer = setTimeout(() => {
      cancel();
      fail(stream, 502, "timeout");
    }, connectTimeoutMs);
    const onEarlyClose = (): void => {
      clearTimeout(timer);
      cancel();
    };
    stream.once("close", onEarlyClose);
    const cancel = dial(target.host, target.port, (err, socket) => {
      clearTimeout(timer);
      stream.off("close", onEarlyClose);
      if (err || !socket) {
        fail(stream, 502, connectErrorCode(err as NodeJS.ErrnoException));
        return;
      }
      if (stream.closed || stream.destroyed) {
        socket.destroy();
        return;
      }
      stream.respond({ ":status": 200 });
      bridge(socket, stream);
    });
  };
}

function fail(stream: ServerHttp2Stream, status: number, code: ConnectErrorCode): void {
  if (stream.closed || stream.destroyed || stream.headersSent) return;
  stream.respond({ ":status": status, [errorHeader]: code }, { endStream: true });
}
