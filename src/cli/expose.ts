import { UsageError } from "../errors.js";

export interface ExposeSpec {
  localPort: number;
  remotePort: number;
}

function port(text: string | undefined, what: string): number {
  const n = Number(text);
  if (!text || !/^\d+$/.test(text) || n < 1 || n > 65535)
    throw new UsageError(`${what}: "${text ?? ""}" is not a port (1-65535)`);
  return n;
}

/** Parse --expose PORT[:REMOTE_PORT]. */
export function parseExpose(value: string): ExposeSpec {
  const parts = value.split(":");
  if (parts.length > 2) throw new UsageError(`--expose ${value}: expected PORT[:REMOTE_PORT]`);
  const localPort = port(parts[0], `--expose ${value}`);
  return { localPort, remotePort: parts[1] === undefined ? localPort : port(parts[1], `--expose ${value}`) };
}

/** Parse a single port option (--to-pod, --from-pod). */
export function parsePort(value: string, flag: string): number {
  return port(value, flag);
}

/** Parse --container-to-host CPORT[:HPORT]. */
export function parseHostPort(value: string): { containerPort: number; hostPort: number } {
  const e = parseExpose(value);
  return { containerPort: e.localPort, hostPort: e.remotePort };
}
