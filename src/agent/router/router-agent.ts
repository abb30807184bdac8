import { createServer, type Server, type Socket } from "node:net";
import { TpError } from "../../errors.js";
import type { RouterConfig, RouterPort } from "../../contract/router-config.js";
import { createControlServer } from "./control-server.js";
import { H2Proxy } from "./h2-proxy.js";
import { createAgents, Http1Proxy, type PortContext } from "./http1-proxy.js";
import { proxyConnection } from "./raw-proxy.js";
import { Rules } from "./rules.js";
import { sniff } from "./sniff.js";

/** A client that sends nothing for this long on an "auto" port is not HTTP (the server speaks first). */
export const defaultSniffTimeoutMs = 500;

export interface RouterOptions {
  config: RouterConfig;
  /** The address to listen on (default: every interface). */
  host?: string;
  sniffTimeoutMs?: number;
  log: (message: string) => void;
}

export interface StartedRouter {
  rules: Rules;
  close(): Promise<void>;
}

/**
 * The intercept's router: listens on each of the Service's target ports and sends each request
 * (HTTP/1.x, h2c stream, WebSocket upgrade) or connection (anything else) to the session whose
 * rule matches it, or upstream to the workload's pods; sessions register on the control port.
 */
export async function startRouter(options: RouterOptions): Promise<StartedRouter> {
  const { config, log } = options;
  const rules = new Rules();
  const trafficLog = quiet(log);
  const agents = createAgents();
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  const listen = async (server: Server, port: number) => {
    servers.push(server);
    server.on("connection", (socket: Socket) => {
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      const fail = (err: Error) =>
        reject(new TpError("config", `router: cannot listen on port ${port}: ${err.message}`));
      server.once("error", fail);
      server.listen({ port, host: options.host }, () => {
        server.off("error", fail);
        resolve();
      });
    });
  };
  try {
    for (const port of config.ports) {
      const ctx: PortContext = { port: port.port, upstream: port.upstream, rules, log: trafficLog };
      const serve = portHandler(port, ctx, new Http1Proxy(ctx, agents), new H2Proxy(ctx), options);
      await listen(createServer({ allowHalfOpen: true, pauseOnConnect: true }, serve), port.port);
    }
    // Last: the control port is the router's readiness.
    await listen(createControlServer(rules, log), config.controlPort);
  } catch (err) {
    for (const server of servers) server.close();
    throw err;
  }
  log(
    `routing ${config.namespace}/${config.service}: ports ${config.ports.map((p) => `${p.port}->${p.upstream.host}:${p.upstream.port} (${p.http})`).join(", ")}; control port ${config.controlPort}`,
  );
  return {
    rules,
    close: async () => {
      const closed = servers.map((s) => new Promise((resolve) => s.close(resolve)));
      for (const socket of sockets) socket.destroy();
      for (const agent of Object.values(agents)) agent.destroy();
      await Promise.all(closed);
    },
  };
}

function portHandler(
  port: RouterPort,
  ctx: PortContext,
  http1: Http1Proxy,
  h2: H2Proxy,
  options: RouterOptions,
): (socket: Socket) => void {
  const whole = (socket: Socket, head: Buffer, ended: boolean) =>
    void proxyConnection(socket, head, ended, ctx.rules.routeConnection(), port.port, port.upstream, ctx.log);
  return (socket) => {
    socket.on("error", () => undefined);
    if (port.http === "raw") return whole(socket, Buffer.alloc(0), false);
    void sniff(socket, options.sniffTimeoutMs ?? defaultSniffTimeoutMs).then(({ protocol, head, ended }) => {
      if (socket.destroyed) return;
      if (protocol === "http1") http1.accept(socket, head);
      else if (protocol === "h2c") h2.accept(socket, head);
      else whole(socket, head, ended);
    });
  };
}

/**
 * A log for what happens to traffic: a line said again within a minute is counted, not repeated
 * (a session gone with its clients still calling would otherwise log every request).
 */
export function quiet(log: (message: string) => void, everyMs = 60_000): (message: string) => void {
  const last = new Map<string, { at: number; repeats: number }>();
  return (message) => {
    const now = Date.now();
    const seen = last.get(message);
    if (seen && now - seen.at < everyMs) {
      seen.repeats++;
      return;
    }
    if (last.size > 1000) last.clear();
    last.set(message, { at: now, repeats: 0 });
    log(seen?.repeats ? `${message} (and ${seen.repeats} times more)` : message);
  };
}
