import { connect, isIP, type Socket } from "node:net";
import { networkInterfaces } from "node:os";
import {
  controlLine,
  maxControlLineBytes,
  podIpEnv,
  readControlAnswer,
  type RouterRegistration,
} from "../../contract/router-control.js";
import { LineSplitter } from "../../line-splitter.js";

export interface RegistrationOptions {
  registration: RouterRegistration;
  /** Where the router sends this session's traffic: the proxy pod's IP. */
  targetHost: string;
  /** Whether the session's tunnel is up now. */
  tunnelUp: boolean;
  log: (message: string) => void;
  /** Backoff between attempts to reach the router: from min, doubling, up to max. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface RegistrationClient {
  /** Report the session's tunnel going up or down (the router routes around a session that is down). */
  setTunnel(up: boolean): void;
  close(): void;
}

/** The proxy pod's IP: from TP_POD_IP (Downward API status.podIP), else its first IPv4 interface. */
export function podIp(env: NodeJS.ProcessEnv = process.env, interfaces = networkInterfaces()): string {
  const fromEnv = env[podIpEnv]?.trim();
  if (fromEnv && isIP(fromEnv)) return fromEnv;
  const all = Object.values(interfaces).flatMap((list) => list ?? []);
  const address = all.find((a) => !a.internal && a.family === "IPv4") ?? all.find((a) => !a.internal);
  return address?.address ?? "127.0.0.1";
}

/**
 * Keep this session's rule registered with the intercept's router: a connection to its control
 * port carries the registration and the tunnel's state; the rule lives as long as the
 * connection, so a lost connection is made again (with backoff) until closed.
 */
export function startRouterRegistration(options: RegistrationOptions): RegistrationClient {
  const { registration, log } = options;
  const { host, port } = registration.router;
  const minBackoff = options.minBackoffMs ?? 500;
  const maxBackoff = options.maxBackoffMs ?? 10_000;
  let up = options.tunnelUp;
  let socket: Socket | undefined;
  let closed = false;
  let backoff = minBackoff;
  let retry: NodeJS.Timeout | undefined;
  let lastProblem = "";

  const problem = (text: string) => {
    if (text !== lastProblem) log(`router ${host}:${port}: ${text} (trying again)`);
    lastProblem = text;
  };
  const attempt = () => {
    retry = undefined;
    if (closed) return;
    const s = connect({ host, port, noDelay: true });
    socket = s;
    s.setKeepAlive(true, 10_000);
    s.once("connect", () => {
      s.write(
        controlLine({
          type: "register",
          sessionId: registration.sessionId,
          filter: registration.filter,
          mirror: registration.mirror,
          target: { host: options.targetHost },
        }),
      );
      s.write(controlLine({ type: "tunnel", up }));
    });
    const lines = new LineSplitter(maxControlLineBytes);
    s.setEncoding("utf8");
    s.on("data", (chunk: string) => {
      for (const line of lines.push(chunk)) {
        const read = readControlAnswer(line);
        if ("refused" in read) continue;
        if (read.message.type === "registered") {
          backoff = minBackoff;
          lastProblem = "";
          log(`registered with router ${host}:${port} (tunnel ${up ? "up" : "down"})`);
        } else problem(`refused: ${read.message.reason}`);
      }
    });
    s.on("error", (err) => problem(err.message));
    s.once("close", () => {
      if (socket === s) socket = undefined;
      if (closed) return;
      if (lastProblem === "") problem("connection closed");
      retry = setTimeout(attempt, backoff);
      backoff = Math.min(backoff * 2, maxBackoff);
    });
  };
  attempt();

  return {
    setTunnel: (value) => {
      if (value === up) return;
      up = value;
      if (socket && !socket.connecting && !socket.destroyed)
        socket.write(controlLine({ type: "tunnel", up }));
    },
    close: () => {
      closed = true;
      clearTimeout(retry);
      socket?.destroy();
    },
  };
}
