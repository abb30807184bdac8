import type { ServerResponse } from "node:http";
import { Readable } from "node:stream";
import type Docker from "dockerode";
import { demuxBuffer, demuxDocker } from "./demux.js";

export interface LogOptions {
  follow: boolean;
  timestamps: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  sinceTime?: string;
  limitBytes?: number;
}

/** Streams a container's logs (kept by Docker's json-file driver) as the kubelet's containerLogs does. */
export async function streamLogs(
  docker: Docker,
  containerId: string,
  tty: boolean,
  opts: LogOptions,
  res: ServerResponse,
): Promise<void> {
  let since = 0;
  if (opts.sinceSeconds) since = Math.floor(Date.now() / 1000) - opts.sinceSeconds;
  else if (opts.sinceTime) since = Math.floor(Date.parse(opts.sinceTime) / 1000);
  const out: unknown = await docker.getContainer(containerId).logs({
    follow: opts.follow as true,
    stdout: true,
    stderr: true,
    timestamps: opts.timestamps,
    tail: opts.tailLines ?? "all",
    since,
  } as Parameters<Docker.Container["logs"]>[0] & { follow: true });
  // Without follow, dockerode hands back the whole output as one buffer.
  const stream = Buffer.isBuffer(out) ? Readable.from([out]) : (out as Readable);
  res.writeHead(200, { "content-type": "text/plain", "transfer-encoding": "chunked" });
  let left = opts.limitBytes ?? Infinity;
  const write = (d: Buffer) => {
    if (left <= 0) return;
    const part = d.length > left ? d.subarray(0, left) : d;
    left -= part.length;
    res.write(part);
    if (left <= 0) {
      stream.destroy();
      res.end();
    }
  };
  if (tty) stream.on("data", write);
  else demuxDocker(stream, (_t, d) => write(d));
  res.on("close", () => stream.destroy());
  await new Promise<void>((resolve) => {
    stream.on("end", resolve);
    stream.on("close", resolve);
    stream.on("error", resolve);
  });
  if (!res.writableEnded) res.end();
}

/** How much of its log a crashed container's FallbackToLogsOnError message keeps (the kubelet's limits). */
const fallbackLogLines = 80;
const fallbackLogBytes = 2048;

/**
 * The termination message of a container whose terminationMessagePolicy is FallbackToLogsOnError
 * and whose message file is empty: its last 80 log lines (stdout and stderr as they came), at most
 * their last 2048 bytes, as the kubelet's readLastStringFromContainerLogs makes it.
 */
export async function terminationLogTail(docker: Docker, containerId: string, tty: boolean): Promise<string> {
  const out: unknown = await docker
    .getContainer(containerId)
    .logs({ follow: false, stdout: true, stderr: true, tail: fallbackLogLines });
  // Docker's client hands back a body it can parse as JSON (a TTY log of one JSON line) parsed.
  const raw = Buffer.isBuffer(out)
    ? out
    : Buffer.from(typeof out === "string" ? out : `${JSON.stringify(out)}\n`);
  const text = tty ? raw : Buffer.concat(demuxBuffer(raw));
  return text.subarray(Math.max(0, text.length - fallbackLogBytes)).toString("utf8");
}

/** FallbackToLogsOnError messages of a pod's exited containers, read once each (their logs are final). */
export class TerminationLogTails {
  private readonly tails = new Map<string, Promise<string>>();

  constructor(private readonly docker: Docker) {}

  of(c: { id: string; info: { Config?: { Tty?: boolean } } }): Promise<string> {
    let tail = this.tails.get(c.id);
    if (!tail) {
      tail = terminationLogTail(this.docker, c.id, !!c.info.Config?.Tty);
      this.tails.set(c.id, tail);
      // Read again at the next sync after a failure, as the kubelet reads at each.
      tail.catch(() => this.tails.delete(c.id));
      // The kubelet keeps two containers of each pod container: a few messages at most are needed.
      if (this.tails.size > 32) this.tails.delete(this.tails.keys().next().value ?? "");
    }
    return tail;
  }
}
