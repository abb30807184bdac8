import { parseAuthority } from "../../tunnel/connect-handler.js";
import type { Incomplete } from "./socks5.js";

/** What an HTTP client asked a proxy for: where to connect, and what to send there first. */
export interface ProxyRequest {
  host: string;
  port: number;
  /** CONNECT: answer 200 and join the two; otherwise send `head` and the rest as they come. */
  tunnel: boolean;
  /** The request head to send upstream (origin-form), for a non-CONNECT request. */
  head?: Buffer;
  /** Bytes after the head that the client already sent. */
  rest: Buffer;
}

const maxHead = 64 * 1024;

/** Headers that concern the hop to the proxy, not the server. */
const hopHeaders = new Set(["proxy-connection", "proxy-authorization", "connection", "keep-alive"]);

/**
 * Parse a request to an HTTP proxy: `CONNECT host:port`, or an absolute-URI request such as
 * `GET http://host:port/path HTTP/1.1` (what busybox wget, curl and others send to HTTP_PROXY),
 * rewritten to origin form with `Connection: close`, so that a later request on the same client
 * connection cannot go to another host by the same upstream connection.
 */
export function parseProxyRequest(buf: Buffer): ProxyRequest | Incomplete {
  const end = buf.indexOf("\r\n\r\n");
  if (end < 0) return buf.length > maxHead ? "bad" : "incomplete";
  const lines = buf.subarray(0, end).toString("latin1").split("\r\n");
  const rest = buf.subarray(end + 4);
  const m = /^([A-Z]+) (\S+) (HTTP\/1\.[01])$/.exec(lines[0] ?? "");
  if (!m?.[1] || !m[2] || !m[3]) return "bad";
  const [, method, target, version] = m;
  if (method === "CONNECT") {
    const authority = parseAuthority(target);
    return authority ? { ...authority, tunnel: true, rest } : "bad";
  }
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return "bad";
  }
  if (url.protocol !== "http:" || !url.hostname) return "bad";
  const headers = lines.slice(1).filter((l) => !hopHeaders.has(l.slice(0, l.indexOf(":")).toLowerCase()));
  if (!headers.some((l) => /^host:/i.test(l))) headers.unshift(`Host: ${url.host}`);
  const head = [`${method} ${url.pathname}${url.search} ${version}`, ...headers, "Connection: close", "", ""];
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: url.port ? Number(url.port) : 80,
    tunnel: false,
    head: Buffer.from(head.join("\r\n"), "latin1"),
    rest,
  };
}
