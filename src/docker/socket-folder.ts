import type Dockerode from "dockerode";
import { mkdir, rm, stat } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { sidecarSockets } from "../contract/tunnel-protocol.js";

/** The Docker label on the sidecar that names its socket folder, so `tp cleanup` finds it. */
export const socketFolderLabel = "dev.tp.sockets";

/** Where the sidecar's sockets are, inside it: the socket folder is mounted there. */
const inSidecar = sidecarSockets.tunnel.slice(0, sidecarSockets.tunnel.lastIndexOf("/"));

/** How much one read of a sidecar's socket may take (Node's own reads stop at 64 KiB). */
const readSize = 256 * 1024;

/**
 * A unix socket whose reads take all that is there, up to 256 KiB, each a message of its own on
 * the port-forward. The sidecar's HTTP/2 session writes 64 KiB of DATA and 36 bytes of frame
 * headers at a time: read 64 KiB at a time, every such write became two WebSocket messages, a
 * third of them 36 bytes long, each carried and handled on its own by every hop to the agent.
 */
function connectReadingWhole(path: string): Socket {
  const buffer = Buffer.allocUnsafe(readSize);
  const socket: Socket = connect({
    path,
    // The bytes are copied out of the one buffer the socket reads into; a full Readable buffer
    // pauses reading, as it does for any socket.
    onread: { buffer, callback: (n, buf) => socket.push(Buffer.from(buf.subarray(0, n))) },
  });
  return socket;
}

/** Where a session's socket folder is made: in the temporary directory `dir`. */
export function socketFolderPath(sessionId: string, dir = tmpdir()): string {
  return join(dir, `tp-${sessionId}-run`);
}

/**
 * A private folder (mode 0700) bind-mounted where the sidecar makes its unix sockets, so that the
 * CLI connects to them directly instead of through `docker exec tp-agent pipe`: no process to
 * start per tunnel connection. Only for an engine on this machine (a unix socket); with another
 * one, or where connecting fails (Docker Desktop's file sharing), the exec pipe is used instead.
 */
export class SocketFolder {
  private usable = true;
  private connected = false;

  private constructor(readonly path: string) {}

  static async create(docker: Dockerode, sessionId: string): Promise<SocketFolder | undefined> {
    const modem = docker.modem as { socketPath?: unknown; host?: unknown };
    // A unix socket (or the modem's finder of the default one), not a TCP or SSH host.
    if (modem.socketPath === undefined || modem.host) return undefined;
    const path = socketFolderPath(sessionId);
    // A socket's path is limited to 107 bytes.
    if (Buffer.byteLength(join(path, basename(sidecarSockets.tunnel))) > 100) return undefined;
    await mkdir(path, { mode: 0o700 });
    return new SocketFolder(path);
  }

  /** The sidecar's bind mount and label. */
  get bind(): string {
    return `${this.path}:${inSidecar}`;
  }

  get labels(): Record<string, string> {
    return { [socketFolderLabel]: this.path };
  }

  /**
   * Connect to one of the sidecar's sockets (sidecarSockets), or undefined where that cannot
   * work here: the caller then uses the exec pipe (and so does every later call).
   */
  async connect(socket: string): Promise<Socket | undefined> {
    if (!this.usable) return undefined;
    const s = connectReadingWhole(join(this.path, basename(socket)));
    try {
      await new Promise<void>((resolve, reject) => {
        s.once("connect", resolve);
        s.once("error", reject);
      });
      this.connected = true;
      return s;
    } catch {
      s.destroy();
      this.usable = false;
      return undefined;
    }
  }

  /**
   * Whether the CLI reached a socket of the sidecar here: the folder is shared with the engine's
   * containers as the same files (not copied by file sharing), named pipes included.
   */
  get shared(): boolean {
    return this.connected && this.usable;
  }

  async remove(): Promise<void> {
    await removeSocketFolder(this.path);
  }
}

/**
 * Remove a session's socket folder (after its sidecar): only a folder named as tp names them.
 * Returns whether there was one.
 */
export async function removeSocketFolder(path: string): Promise<boolean> {
  if (!/^tp-[0-9a-f]+-run$/.test(basename(path))) return false;
  const there = await stat(path).then(
    () => true,
    () => false,
  );
  await rm(path, { recursive: true, force: true });
  return there;
}
