import { isIPv4 } from "node:net";

/** A parse that needs more bytes, or input that is not what the protocol allows. */
export type Incomplete = "incomplete" | "bad";

/** SOCKS5 reply codes (RFC 1928 §6). */
export const SocksReply = {
  succeeded: 0,
  failure: 1,
  networkUnreachable: 3,
  hostUnreachable: 4,
  refused: 5,
  ttlExpired: 6,
  commandNotSupported: 7,
  addressNotSupported: 8,
} as const;

/** The client's greeting: version 5 and the authentication methods it offers. */
export function parseGreeting(buf: Buffer): { methods: number[]; length: number } | Incomplete {
  if (buf.length < 2) return "incomplete";
  if (buf[0] !== 5) return "bad";
  const n = buf[1] ?? 0;
  if (buf.length < 2 + n) return "incomplete";
  return { methods: [...buf.subarray(2, 2 + n)], length: 2 + n };
}

export interface SocksRequest {
  command: number;
  host: string;
  port: number;
  /** Bytes the request took. */
  length: number;
}

/** VER CMD RSV ATYP DST.ADDR DST.PORT, with an IPv4 (1), domain (3) or IPv6 (4) address. */
export function parseRequest(buf: Buffer): SocksRequest | Incomplete {
  if (buf.length < 5) return "incomplete";
  if (buf[0] !== 5) return "bad";
  const command = buf[1] ?? 0;
  const atyp = buf[3];
  let host: string;
  let at: number;
  if (atyp === 1) {
    if (buf.length < 10) return "incomplete";
    host = [...buf.subarray(4, 8)].join(".");
    at = 8;
  } else if (atyp === 3) {
    const n = buf[4] ?? 0;
    if (buf.length < 5 + n + 2) return "incomplete";
    host = buf.subarray(5, 5 + n).toString("latin1");
    if (n === 0 || !/^[a-z0-9_.-]+$/i.test(host)) return "bad";
    at = 5 + n;
  } else if (atyp === 4) {
    if (buf.length < 22) return "incomplete";
    const words: string[] = [];
    for (let i = 0; i < 8; i++) words.push(buf.readUInt16BE(4 + i * 2).toString(16));
    host = words.join(":");
    at = 20;
  } else {
    return "bad";
  }
  return { command, host, port: buf.readUInt16BE(at), length: at + 2 };
}

/** A reply with an IPv4 bound address (RESOLVE answers the name's address there). */
export function socksReply(code: number, address = "0.0.0.0"): Buffer {
  const ip = isIPv4(address) ? address.split(".").map(Number) : [0, 0, 0, 0];
  return Buffer.from([5, code, 0, 1, ...ip, 0, 0]);
}

/** The reply code for a failed CONNECT, from the tunnel's reason (contract/tunnel-protocol.ts). */
export function replyForReason(reason: string): number {
  switch (reason) {
    case "refused":
      return SocksReply.refused;
    case "unreachable":
    case "not-found":
      return SocksReply.hostUnreachable;
    case "timeout":
      return SocksReply.ttlExpired;
    default:
      return SocksReply.failure;
  }
}
