import type Dockerode from "dockerode";
import type { Duplex } from "node:stream";
import { TpError } from "../errors.js";
import { ExecDuplex } from "./exec-duplex.js";

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
    return new ExecDuplex(raw);
  } catch (err) {
    throw new TpError("tunnel", `could not start ${cmd.join(" ")} in container ${containerId.slice(0, 12)}`, {
      cause: err,
    });
  }
}

/**
 * A new transport into the sidecar's tunnel: `docker exec -i <sidecar> tp-agent pipe`. Each call
 * gives the sidecar one new HTTP/2 session; pipe it to the proxy's port-forward with
 * pipeDuplexes(). When it drops, open a new one: the sidecar resumes with the new session.
 */
export function openSidecarPipe(docker: Dockerode, containerId: string): Promise<Duplex> {
  return openExecPipe(docker, containerId, ["tp-agent", "pipe"], { user: "0" });
}
