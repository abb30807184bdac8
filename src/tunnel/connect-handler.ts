import { connect } from "node:net";
import type { ServerHttp2Stream } from "node:http2";
import { bridge } from "./bridge.js";
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
    const socket = connect({ host: target.host, port: target.port, allowHalfOpen: true });
    socket.setNoDelay(true);
    const timer = setTimeout(
      () => socket.destroy(Object.assign(new Error("connect timeout"), { code: "ETIMEDOUT" })),
      connectTimeoutMs,
    );
    const onEarlyClose = (): void => {
      clearTimeout(timer);
      socket.destroy();
    };
    stream.once("close", onEarlyClose);
    socket.once("connect", () => {
      clearTimeout(timer);
      stream.off("close", onEarlyClose);
      if (stream.closed || stream.destroyed) {
        socket.destroy();
        return;
      }
      socket.off("error", onError);
      stream.respond({ ":status": 200 });
      bridge(socket, stream);
    });
    const onError = (err: NodeJS.ErrnoException): void => {
      clearTimeout(timer);
      fail(stream, 502, connectErrorCode(err));
    };
    socket.once("error", onError);
  };
}

function fail(stream: ServerHttp2Stream, status: number, code: ConnectErrorCode): void {
  if (stream.closed || stream.destroyed || stream.headersSent) return;
  stream.respond({ ":status": status, [errorHeader]: code }, { endStream: true });
}
