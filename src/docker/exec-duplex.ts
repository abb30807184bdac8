import type Dockerode from "dockerode";
import { Duplex, Writable } from "node:stream";

const stderrKept = 8 * 1024;

/**
 * The hijacked connection of a `docker exec` started with stdin attached and Tty false, as a
 * plain byte Duplex: what is written goes to the process's stdin as is, and what is read is its
 * stdout, taken out of Docker's multiplexed frames by dockerode's demuxStream. Stderr is kept
 * (its tail, in {@link stderrText}) for error messages. Backpressure is honoured in both
 * directions, so bulk traffic does not pile up in memory.
 */
export class ExecDuplex extends Duplex {
  #stderr = "";
  /** The callback of a stdout chunk the reader has not asked for yet. */
  #held: (() => void) | undefined;

  constructor(
    private readonly raw: Duplex,
    modem: Dockerode["modem"],
  ) {
    super({ allowHalfOpen: true });
    const stdout = new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        if (this.push(chunk)) callback();
        else this.#held = callback;
      },
      final: (callback) => {
        this.push(null);
        callback();
      },
    });
    const stderr = new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        this.#stderr = (this.#stderr + chunk.toString("utf8")).slice(-stderrKept);
        this.emit("stderr", chunk);
        callback();
      },
    });
    modem.demuxStream(raw, stdout, stderr);
    // After demuxStream's own listener: stop reading while the reader is behind.
    raw.on("data", () => {
      if (this.#held) raw.pause();
    });
    raw.once("end", () => stdout.end());
    raw.once("error", (err) => this.destroy(err));
    // Closed: done, once what stdout still held has been handed on.
    raw.once("close", () => {
      if (stdout.writableEnded && !stdout.writableFinished) stdout.once("finish", () => this.destroy());
      else this.destroy();
    });
  }

  /** The last few kilobytes the process wrote on stderr. */
  get stderrText(): string {
    return this.#stderr;
  }

  override _read(): void {
    const held = this.#held;
    this.#held = undefined;
    held?.();
    if (!this.#held) this.raw.resume();
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
