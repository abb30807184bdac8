import { connect, type Socket } from "node:net";
import { connectRouted, targetConnectTimeoutMs, teeTo, type Endpoint } from "./connect.js";
import type { Route } from "./rules.js";

const copyGraceMs = 10_000;

/**
 * A connection carried whole: to the route's session (or upstream), its bytes piped both ways;
 * `head` (bytes already read from the client) goes first. Mirrors get a copy of what the client
 * sends; what they answer is read and dropped.
 */
export async function proxyConnection(
  client: Socket,
  head: Buffer,
  ended: boolean,
  route: Route,
  port: number,
  upstream: Endpoint,
  log: (message: string) => void,
): Promise<void> {
  client.pause();
  const target = route.primary ? { host: route.primary.target, port } : undefined;
  let server: Socket;
  try {
    server = await connectRouted(target, upstream, log);
  } catch (err) {
    log(`upstream ${upstream.host}:${upstream.port}: ${(err as Error).message}`);
    client.destroy();
    return;
  }
  if (client.destroyed) {
    server.destroy();
    return;
  }
  for (const mirror of route.mirrors) startCopy(client, head, ended, { host: mirror.target, port });
  join(client, server, head, ended);
}

/** Pipe two sockets both ways (half-closes pass through); an error on one ends both. */
export function join(client: Socket, server: Socket, head: Buffer, ended: boolean): void {
  client.setNoDelay(true);
  server.setNoDelay(true);
  const destroyBoth = () => {
    client.destroy();
    server.destroy();
  };
  client.on("error", destroyBoth);
  server.on("error", destroyBoth);
  client.once("close", () => server.destroy());
  server.once("close", () => client.destroy());
  if (head.length > 0) server.write(head);
  if (ended) server.end();
  else client.pipe(server);
  server.pipe(client);
  client.resume();
}

/** A copy of what the client sends from now on (writes wait, bounded, while it connects). */
function startCopy(client: Socket, head: Buffer, ended: boolean, target: Endpoint): void {
  const copy = connect({ host: target.host, port: target.port, noDelay: true });
  const timer = setTimeout(() => copy.destroy(), targetConnectTimeoutMs);
  copy.once("connect", () => clearTimeout(timer));
  copy.once("close", () => clearTimeout(timer));
  copy.on("error", () => undefined);
  copy.resume();
  if (head.length > 0) copy.write(head);
  if (ended) copy.end();
  else teeTo(client, copy);
  // The copy may still be sending what the client sent last: it gets a moment to.
  client.once("close", () => setTimeout(() => copy.destroy(), copyGraceMs).unref());
}
