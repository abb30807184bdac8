import type Dockerode from "dockerode";
import type { Duplex } from "node:stream";
import { TpError } from "../errors.js";
import type { SocketFolder } from "./socket-folder.js";
import { ExecDuplex } from "./exec-duplex.js";
import { sidecarSockets } from "../contract/tunnel-protocol.js";

/**
 * Run `cmd` in a container with `docker exec` (stdin attached, no TTY) and return its stdin and
 * stdout as one byte Duplex. Ending the Duplex closes the process's stdin; destroying it drops
 * the exec connection.
 */
export async function openExecPipe(
  docker: Dockerode,
  containerId: string,
  cmd: string[],
  options: { user?: string } = {},
): Promise<ExecDuplex> {
  try {
    const exec = await docker.getContainer(containerId).exec({
      Cmd: cmd,
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      ...(options.user ? { User: options.user } : {}),
    });
    const raw = (await exec.start({ hijack: true, stdin: true, Tty: false })) as Duplex;
    return new ExecDuplex(raw, docker.modem);
  } catch (err) {
    throw new TpError("tunnel", `could not start ${cmd.join(" ")} in container ${containerId.slice(0, 12)}`, {
      cause: err,
    });
  }
}

/**
 * A new transport to one of the sidecar's sockets (default: its tunnel): the socket itself
 * through the session's socket folder where the CLI reaches it, else `docker exec -i <sidecar>
 * tp-agent pipe`. For the tunnel, each call gives the sidecar one new HTTP/2 session; pipe it to
 * the proxy's port-forward with pipeDuplexes(). When it drops, open a new one: the sidecar
 * resumes with the new session.
 */
export async function openSidecarPipe(
  docker: Dockerode,
  containerId: string,
  sockets?: SocketFolder,
  socket: string = sidecarSockets.tunnel,
): Promise<Duplex> {
  return (
    (await sockets?.connect(socket)) ??
    openExecPipe(docker, containerId, ["tp-agent", "pipe", "--socket", socket], { user: "0" })
  );
}
