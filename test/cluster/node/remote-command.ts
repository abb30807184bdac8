import type { Duplex } from "node:stream";
import type Docker from "dockerode";
import type { WebSocket } from "ws";
import { demuxDocker } from "./demux.js";
import { channel, frame } from "./ws-protocol.js";
import { execStateAfterOutput } from "./exec-exit.js";

export interface RemoteCommandOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
  protocol: string;
}

/** The status a kubelet writes on the error channel when a command ends (v4 and later). */
export function exitStatus(exitCode: number, command: string[]): Record<string, unknown> {
  if (exitCode === 0) return { metadata: {}, status: "Success" };
  return {
    metadata: {},
    status: "Failure",
    message: `command terminated with non-zero exit code: command '${command.join(" ")}' exited with ${exitCode}`,
    reason: "NonZeroExitCode",
    details: { causes: [{ reason: "ExitCode", message: String(exitCode) }] },
  };
}

function versionOf(protocol: string): number {
  const m = /^v(\d+)\./.exec(protocol);
  return m ? Number(m[1]) : 1;
}

/**
 * Bridges a WebSocket speaking the remotecommand channel protocol to a Docker hijacked stream:
 * stdin (0), stdout (1), stderr (2), error/status (3), resize (4) and, in v5, close (255).
 */
export function bridgeRemoteCommand(
  ws: WebSocket,
  stream: Duplex,
  opts: RemoteCommandOptions,
  resize: (width: number, height: number) => void,
  finish: () => Promise<Record<string, unknown> | undefined>,
): void {
  const version = versionOf(opts.protocol);
  const send = (ch: number, data: Buffer) => {
    if (ws.readyState === ws.OPEN) ws.send(frame(ch, data));
  };
  // Like the kubelet: an empty message on the lowest writable channel says the streams are ready.
  send(opts.stdout ? channel.stdout : opts.stderr ? channel.stderr : channel.error, Buffer.alloc(0));

  if (opts.tty) stream.on("data", (d: Buffer) => send(channel.stdout, d));
  else demuxDocker(stream, (type, d) => send(type === 2 ? channel.stderr : channel.stdout, d));

  ws.on("message", (raw: Buffer, isBinary: boolean) => {
    let data = Buffer.isBuffer(raw) ? raw : Buffer.from(raw as ArrayBuffer);
    if (!isBinary && opts.protocol.includes("base64")) data = Buffer.from(data.toString(), "base64");
    if (data.length === 0) return;
    const ch = data[0];
    const body = data.subarray(1);
    if (ch === channel.stdin && opts.stdin) stream.write(body);
    else if (ch === channel.resize) {
      try {
        const size = JSON.parse(body.toString()) as { Width?: number; Height?: number };
        if (size.Width && size.Height) resize(size.Width, size.Height);
      } catch {
        // ignore a bad resize message
      }
    } else if (ch === channel.close && version >= 5 && body[0] === channel.stdin) stream.end();
  });
  ws.on("close", () => {
    stream.destroy();
  });
  ws.resume();

  let ended = false;
  const end = async () => {
    if (ended) return;
    ended = true;
    const status = await finish().catch(() => undefined);
    if (ws.readyState === ws.OPEN) {
      if (status && version >= 4) send(channel.error, Buffer.from(JSON.stringify(status)));
      else if (status && status.status !== "Success")
        send(channel.error, Buffer.from(String(status.message)));
      ws.close(1000);
    }
  };
  stream.on("end", () => void end());
  stream.on("close", () => void end());
  stream.on("error", () => void end());
}

/** Starts `docker exec` in a container and bridges it to the WebSocket. */
export async function execInContainer(
  docker: Docker,
  ws: WebSocket,
  containerId: string,
  command: string[],
  opts: RemoteCommandOptions,
): Promise<void> {
  const exec = await docker.getContainer(containerId).exec({
    Cmd: command,
    AttachStdin: opts.stdin,
    AttachStdout: opts.stdout,
    AttachStderr: opts.stderr,
    Tty: opts.tty,
  });
  const stream = await exec.start({ hijack: true, stdin: opts.stdin, Tty: opts.tty });
  bridgeRemoteCommand(
    ws,
    stream,
    opts,
    (w, h) => void exec.resize({ w, h }).catch(() => undefined),
    async () => {
      const state = await execStateAfterOutput(() => exec.inspect(), { reads: 50, intervalMs: 20 });
      return state.Running ? undefined : exitStatus(state.ExitCode ?? 0, command);
    },
  );
}

/** Attaches to a container's main process and bridges it to the WebSocket. */
export async function attachToContainer(
  docker: Docker,
  ws: WebSocket,
  containerId: string,
  opts: RemoteCommandOptions,
): Promise<void> {
  const container = docker.getContainer(containerId);
  const stream = (await container.attach({
    stream: true,
    stdin: opts.stdin,
    stdout: opts.stdout,
    stderr: opts.stderr,
    hijack: true,
  })) as unknown as Duplex;
  bridgeRemoteCommand(
    ws,
    stream,
    opts,
    (w, h) => void container.resize({ w, h }).catch(() => undefined),
    async () => ({ metadata: {}, status: "Success" }),
  );
}
