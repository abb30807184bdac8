import type { ExposeMapping } from "../contract/sidecar-config.js";

/** The syntax of an --expose (and of `x-tp: expose:`), for messages. */
export const exposeSyntax = "PORT[:REMOTE_PORT][/tcp|/udp]";

/**
 * Parse `PORT[:REMOTE_PORT][/PROTOCOL]` (Docker's order) or `PORT/PROTOCOL[:REMOTE_PORT]`; the
 * protocol is tcp (default) or udp. Throws an Error whose message says what is wrong.
 */
export function parseExposeSpec(value: string): ExposeMapping {
  const m = /^(\d+)(?:\/([a-z]+))?(?::(\d+))?(?:\/([a-z]+))?$/i.exec(value.trim());
  if (!m || (m[2] !== undefined && m[4] !== undefined)) throw new Error(`expected ${exposeSyntax}`);
  const protocol = (m[2] ?? m[4] ?? "tcp").toLowerCase();
  if (protocol !== "tcp" && protocol !== "udp")
    throw new Error(`protocol "${protocol}" is not supported: tcp or udp`);
  const localPort = port(m[1]);
  const remotePort = m[3] === undefined ? localPort : port(m[3]);
  return { localPort, remotePort, ...(protocol === "udp" ? { protocol: "udp" as const } : {}) };
}

function port(text: string | undefined): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${text ?? ""} is not a port (1-65535)`);
  return n;
}
