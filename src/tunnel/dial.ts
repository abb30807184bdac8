import { connect, type Socket } from "node:net";

/** The names a CONNECT or an exposed port uses for this machine's loopback. */
function isIpv4Loopback(host: string): boolean {
  return host === "127.0.0.1" || host === "localhost";
}

/**
 * Dial host:port, and once connected hand the socket over (no-delay, half-open allowed). Where the
 * host is the loopback (127.0.0.1, localhost) and nothing listens there, [::1]:port is dialled
 * next: a program listening on the IPv6 loopback only is reached as well (Node 17+ and the dev
 * servers built on it listen on ::1 for "localhost" where the system lists it first). Calls
 * `done` once: with the socket, or with the error (127.0.0.1's refusal where ::1 failed too).
 * Returns a cancel function, which destroys a dial under way and calls nothing.
 */
export function dial(
  host: string,
  port: number,
  done: (err: Error | undefined, socket?: Socket) => void,
): () => void {
  let cancelled = false;
  let socket: Socket;
  // A refusal of 127.0.0.1 is what is said when ::1 fails too (or has no address: IPv6 off).
  const attempt = (to: string, refused?: Error): void => {
    socket = connect({ host: to, port, allowHalfOpen: true });
    socket.setNoDelay(true);
    const onError = (err: NodeJS.ErrnoException): void => {
      if (cancelled) return;
      if (!refused && isIpv4Loopback(host) && err.code === "ECONNREFUSED") attempt("::1", err);
      else done(refused ?? err);
    };
    socket.once("error", onError);
    socket.once("connect", () => {
      socket.off("error", onError);
      if (!cancelled) done(undefined, socket);
    });
  };
  attempt(isIpv4Loopback(host) ? "127.0.0.1" : host);
  return () => {
    cancelled = true;
    socket.destroy();
  };
}
