import type Dockerode from "dockerode";
import { PassThrough, type Writable } from "node:stream";
import { LineSplitter } from "../line-splitter.js";

const colors = [36, 33, 32, 35, 34, 96, 93, 92, 95, 94];

/** `name | ` padded to the longest name, coloured on a terminal, as Compose prints it. */
export function logPrefix(name: string, width: number, index: number, color: boolean): string {
  const text = `${name.padEnd(width)} | `;
  return color ? `\u001b[${colors[index % colors.length]}m${text}\u001b[0m` : text;
}

/**
 * Write whole lines with a prefix; a partial last line waits for its end (or for flush), up to
 * 64 KiB: longer output without a newline is written in lines of that length.
 */
export class LinePrefixer {
  private readonly lines = new LineSplitter(64 * 1024);

  constructor(
    private readonly prefix: string,
    private readonly out: Writable,
  ) {}

  write(chunk: Buffer | string): void {
    for (const line of this.lines.push(chunk.toString())) this.out.write(`${this.prefix}${line}\n`);
  }

  flush(): void {
    const rest = this.lines.end();
    if (rest) this.out.write(`${this.prefix}${rest}\n`);
  }
}

/** Follow a container's stdout and stderr, each line prefixed; resolves when its logs end. */
export async function followLogs(
  container: Dockerode.Container,
  prefix: string,
  out: Writable,
): Promise<void> {
  const stream = (await container.logs({
    follow: true,
    stdout: true,
    stderr: true,
  })) as NodeJS.ReadableStream;
  const stdout = new LinePrefixer(prefix, out);
  const stderr = new LinePrefixer(prefix, out);
  const o = new PassThrough();
  const e = new PassThrough();
  o.on("data", (c: Buffer) => stdout.write(c));
  e.on("data", (c: Buffer) => stderr.write(c));
  container.modem.demuxStream(stream, o, e);
  await new Promise<void>((resolve) => {
    stream.on("end", resolve);
    stream.on("close", resolve);
    stream.on("error", () => resolve());
  });
  stdout.flush();
  stderr.flush();
}
