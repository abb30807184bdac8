import { Duplex } from "node:stream";

const headerLength = 8;
const stdoutStream = 1;
const stderrStream = 2;
const stderrKept = 8 * 1024;

/**
 * The hijacked connection of a `docker exec` started with stdin attached and Tty false, as a
 * plain byte Duplex: what is written goes to the process's stdin as is, and what is read is its
 * stdout, taken out of Docker's multiplexed frames (8-byte header: stream, 0, 0, 0, size BE).
 * Stderr is kept (its tail, in {@link stderrText}) for error messages. Backpressure is honoured
 * in both directions, so bulk traffic does not pile up in memory.
 */
export class ExecDuplex extends Duplex {
  #pending: Buffer = Buffer.alloc(0);
  #stderr = "";

  constructor(private readonly raw: Duplex) {
    super({ allowHalfOpen: true });
    raw.on("data", (chunk: Buffer) => this.#onData(chunk));
    raw.once("end", () => this.push(null));
    raw.once("error", (err) => this.destroy(err));
    raw.once("close", () => {
      if (!this.destroyed) this.destroy();
    });
  }

  /** The last few kilobytes the process wrote on stderr. */
  get stderrText(): string {
    return this.#stderr;
  }

  #onData(chunk: Buffer): void {
    let buf = this.#pending.length > 0 ? Buffer.concat([this.#pending, chunk]) : chunk;
    let paused = false;
    while (buf.length >= headerLength) {
      const size = buf.readUInt32BE(4);
      if (buf.length < headerLength + size) break;
      const payload = buf.subarray(headerLength, headerLength + size);
      const kind = buf[0];
      buf = buf.subarray(headerLength + size);
      if (kind === stdoutStream) {
        if (!this.push(payload)) paused = true;
      } else if (kind === stderrStream) {
        this.#stderr = (this.#stderr + payload.toString("utf8")).slice(-stderrKept);
        this.emit("stderr", payload);
      }
    }
    this.#pending = Buffer.from(buf);
    if (paused) this.raw.pause();
  }

  override _read(): void {
    this.raw.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    this.raw.write(chunk, callback);
  }

  override _final(callback: (err?: Error | null) => void): void {
    this.raw.end(callback);
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    this.raw.destroy();
    callback(err);
  }
}
