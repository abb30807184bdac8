import type { ServerResponse } from "node:http";
import { Readable } from "node:stream";
import type Docker from "dockerode";
import { demuxDocker } from "./demux.js";

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
