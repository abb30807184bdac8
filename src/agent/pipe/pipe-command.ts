import { Command } from "commander";
import { connect, Socket } from "node:net";
import { parseAuthority } from "../../tunnel/connect-handler.js";
import { sidecarSockets } from "../../contract/tunnel-protocol.js";

/**
 * `tp-agent pipe`: copy stdin/stdout to the sidecar's tunnel socket (or, with --connect, to a TCP
 * address such as the proxy's 127.0.0.1:7770). The CLI runs it with `docker exec -i`. Ends when
 * either side ends.
 */
export const pipeCommand = new Command("pipe")
  .description("connect stdin/stdout to the tunnel socket (one tunnel transport)")
  .option("--socket <path>", "unix socket to connect to", sidecarSockets.tunnel)
  .option("--connect <host:port>", "connect to a TCP address instead of the unix socket")
  .action(async (opts: { socket: string; connect?: string }) => {
    const target = opts.connect ? parseAuthority(opts.connect) : undefined;
    if (opts.connect && !target) throw new Error(`--connect ${opts.connect}: expected host:port`);
    const socket: Socket = target ? connect({ host: target.host, port: target.port }) : connect(opts.socket);
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    socket.setNoDelay?.(true);
    // fd 1 as a non-blocking stream: process.stdout writes to pipes synchronously, which would
    // stop this process from reading while the far end is busy (and deadlock two such pipes).
    const stdout = new Socket({ fd: 1, readable: false, writable: true });
    stdout.on("error", () => exit(1));
    const exit = (code: number): void => {
      stdout.end(() => process.exit(code));
      setTimeout(() => process.exit(code), 1_000).unref();
    };
    socket.on("error", (err) => {
      process.stderr.write(`tp-agent pipe: ${err.message}\n`);
      exit(1);
    });
    socket.once("close", () => exit(0));
    process.stdin.once("end", () => {
      socket.end();
      setTimeout(() => socket.destroy(), 1_000).unref();
    });
    process.stdin.pipe(socket, { end: false });
    socket.pipe(stdout, { end: false });
  });
