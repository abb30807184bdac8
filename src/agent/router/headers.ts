import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import type { RequestInfo } from "./rules.js";

/** Headers of one hop only (RFC 9110 7.6.1): each side of the router has its own. */
const hopByHop = new Set(["connection", "keep-alive", "proxy-connection", "te", "upgrade"]);

/**
 * Raw headers (name, value, name, value...) without those of one hop, nor those the Connection
 * header names. Transfer-Encoding stays: Node then frames the body as the sender did.
 */
export function endToEndHeaders(raw: string[]): string[] {
  const named = new Set<string>();
  for (let i = 0; i < raw.length; i += 2)
    if (raw[i]?.toLowerCase() === "connection")
      for (const n of (raw[i + 1] ?? "").split(",")) named.add(n.trim().toLowerCase());
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]?.toLowerCase() ?? "";
    if (hopByHop.has(name) || named.has(name)) continue;
    out.push(raw[i] as string, raw[i + 1] ?? "");
  }
  return out;
}

/** An HTTP/1 request as the rules see it (repeated headers joined as Node joins them). */
export function http1Info(req: IncomingMessage): RequestInfo {
  return { header: (name) => headerValue(req.headers, name), path: req.url ?? "/" };
}

export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

/** The request's head as it came (request line and raw headers), to replay on a raw connection. */
export function requestHead(req: IncomingMessage): Buffer {
  const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
  for (let i = 0; i < req.rawHeaders.length; i += 2)
    lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
  return Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1");
}
