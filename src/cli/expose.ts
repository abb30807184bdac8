import type { ExposeMapping } from "../contract/sidecar-config.js";
import { UsageError } from "../errors.js";
import { parseExposeSpec } from "../session/expose-spec.js";

function port(text: string | undefined, what: string): number {
  const n = Number(text);
  if (!text || !/^\d+$/.test(text) || n < 1 || n > 65535)
    throw new UsageError(`${what}: "${text ?? ""}" is not a port (1-65535)`);
  return n;
}

/** Parse --expose PORT[:REMOTE_PORT][/tcp|/udp]. */
export function parseExpose(value: string): ExposeMapping {
  try {
    return parseExposeSpec(value);
  } catch (err) {
    throw new UsageError(`--expose ${value}: ${(err as Error).message}`);
  }
}

/** Parse a single port option (--to-pod, --from-pod). */
export function parsePort(value: string, flag: string): number {
  return port(value, flag);
}

/** Parse --container-to-host CPORT[:HPORT]. */
export function parseHostPort(value: string): { containerPort: number; hostPort: number } {
  const parts = value.split(":");
  if (parts.length > 2) throw new UsageError(`--container-to-host ${value}: expected CPORT[:HPORT]`);
  const containerPort = port(parts[0], `--container-to-host ${value}`);
  const hostPort = parts[1] === undefined ? containerPort : port(parts[1], `--container-to-host ${value}`);
  return { containerPort, hostPort };
}
