import type Dockerode from "dockerode";
import { Writable, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

/**
 * Docker's multiplexed attach stream of a container without a TTY (each frame: a byte naming the
 * stream, 1 stdout or 2 stderr, three zero bytes, the payload's length as 32 bits big-endian, the
 * payload) written to `out` and `err`. A chunk is taken only once what it wrote has drained, so
 * that a program writing faster than tp's own output is read holds the engine back, not tp's
 * memory (as the docker CLI's copy does).
 */
export function demuxInto(out: NodeJS.WritableStream, err: NodeJS.WritableStream): Writable {
  const header = Buffer.alloc(8);
  let headerBytes = 0;
  let left = 0;
  let target = out;
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      const waits = new Set<NodeJS.WritableStream>();
      let at = 0;
      while (at < chunk.length) {
        if (left === 0) {
          const n = Math.min(8 - headerBytes, chunk.length - at);
          chunk.copy(header, headerBytes, at, at + n);
          headerBytes += n;
          at += n;
          if (headerBytes < 8) break;
          headerBytes = 0;
          target = header[0] === 2 ? err : out;
          left = header.readUInt32BE(4);
          continue;
        }
        const n = Math.min(left, chunk.length - at);
        if (!target.write(chunk.subarray(at, at + n))) waits.add(target);
        at += n;
        left -= n;
      }
      let pending = waits.size;
      if (pending === 0) return done();
      for (const w of waits) w.once("drain", () => --pending === 0 && done());
    },
  });
}

/** The engine's own words in a dockerode error ("(HTTP code 400) bad parameter - WORDS "). */
export function engineMessage(message: string): string {
  return message.replace(/^\(HTTP code \d+\) [^-]*- /, "").trim();
}

/** How a start failed, as the docker CLI's exit code says it (126: cannot run, 127: not found). */
export function startFailureCode(message: string): number {
  if (/executable file not found|no such file or directory/i.test(message)) return 127;
  if (/permission denied|exec format error/i.test(message)) return 126;
  return 125;
}

/**
 * Wait for the container's next exit. Resolves once the engine holds the waiter (from API 1.30 on
 * it sends the response's headers only then), with the exit code to come (`exit`): a start after that
 * cannot end before the wait sees it, however short the program.
 */
function waitRegistered(container: Dockerode.Container): Promise<{ exit: Promise<number | undefined> }> {
  return new Promise((resolve, reject) => {
    container.modem.dial(
      {
        path: `/containers/${encodeURIComponent(container.id)}/wait?`,
        method: "POST",
        options: { condition: "next-exit" },
        isStream: true,
        statusCodes: { 200: true, 400: "bad parameter", 404: "no such container", 500: "server error" },
      },
      (err: Error | null, res: NodeJS.ReadableStream) => {
        if (err) return reject(err);
        const chunks: Buffer[] = [];
        resolve({
          exit: new Promise((done, failed) => {
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("error", failed);
            res.on("end", () => {
              try {
                done((JSON.parse(Buffer.concat(chunks).toString()) as { StatusCode?: number }).StatusCode);
              } catch (e) {
                failed(e as Error);
              }
            });
          }),
        });
      },
    );
  });
}

/** A container started in the foreground, as `docker start --attach` does. */
export interface AttachedContainer {
  /** Its exit code, once its output is written (125–127 when it could not start; 255 when lost). */
  exited: Promise<number>;
  /** Pass a signal to its main process (what the docker CLI's signal proxy does). */
  kill(signal: NodeJS.Signals): void;
  /** Stop following it (its output and its end), leaving it as it is. */
  detach(): void;
}

/**
 * Start a container made without a TTY or stdin, its output passed through to this process's
 * stdout and stderr, through the engine's API: attached and waited for before its start, so that
 * no byte and no exit is missed, as `docker start --attach` does, without a docker CLI process
 * beside tp for the whole session. `report` gets what went wrong, as the CLI would print it.
 */
export function startAttached(
  api: Dockerode,
  name: string,
  report: (message: string) => void,
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): AttachedContainer {
  const container = api.getContainer(name);
  let stream: Readable | undefined;
  let detached = false;
  // The reader of tp's output went away (`tp … | head -1`): the container ends as a pipe's writer
  // does, with SIGPIPE's code, and the session with it. Listened to for good: tp's own later
  // writes to a closed stderr would otherwise end it before its undo.
  const broken = new Promise<number>((resolve) => {
    const gone = () => {
      stream?.destroy();
      resolve(128 + 13);
    };
    out.on("error", gone);
    err.on("error", gone);
  });
  const run = async (): Promise<number> => {
    // dockerode types it as a bare ReadWriteStream; it is the HTTP response, a Readable.
    stream = (await container.attach({ stream: true, stdout: true, stderr: true })) as unknown as Readable;
    // Let go of before it started: it is not started.
    if (detached) {
      stream.destroy();
      return 255;
    }
    const copied = pipeline(stream, demuxInto(out, err)).catch(() => undefined);
    // Waited for before the start: an --rm container is gone soon after it ends.
    const ended = (await waitRegistered(container)).exit;
    ended.catch(() => undefined);
    try {
      await container.start();
    } catch (e) {
      const message = engineMessage((e as Error).message);
      if (!detached) report(`the container did not start: ${message}`);
      stream.destroy();
      return startFailureCode(message);
    }
    const code = await ended;
    await copied;
    return code ?? 255;
  };
  const exited = Promise.race([
    run().catch((e: unknown) => {
      if (!detached) report((e as Error).message);
      return 255;
    }),
    broken,
  ]);
  return {
    exited,
    kill: (signal) => void container.kill({ signal }).catch(() => undefined),
    detach: () => {
      detached = true;
      stream?.destroy();
    },
  };
}
