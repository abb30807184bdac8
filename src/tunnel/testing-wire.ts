import { Duplex } from "node:stream";

/**
 * For tests: a byte stream between two ends that holds at most `capacity` bytes in each direction
 * (a write is called back only once the far end has taken enough of what is ahead of it) and
 * delivers them at `bytesPerSecond` (as fast as the reader reads when unset): a small, slow
 * connection such as a busy port-forward, where a real socket pair would hold megabytes.
 */
export function wirePair(options: { capacity: number; bytesPerSecond?: number }): [WireEnd, WireEnd] {
  const a = new WireEnd(options);
  const b = new WireEnd(options);
  a.peer = b;
  b.peer = a;
  return [a, b];
}

export class WireEnd extends Duplex {
  peer!: WireEnd;
  /** Nothing written here reaches the peer any more (a silent connection), though it stays open. */
  silenced = false;
  /** Bytes written here, not yet delivered to the peer. */
  #queue: Buffer[] = [];
  #queued = 0;
  /** Write callbacks waiting for room. */
  #waiting: (() => void)[] = [];
  #timer: NodeJS.Timeout | undefined;
  /** The peer's reader asked for more. */
  wanted = true;

  constructor(private readonly options: { capacity: number; bytesPerSecond?: number }) {
    super({ allowHalfOpen: false });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.#queue.push(chunk);
    this.#queued += chunk.length;
    if (this.#queued <= this.options.capacity) done();
    else this.#waiting.push(() => done());
    this.deliver();
  }

  override _read(): void {
    this.peer.wanted = true;
    this.peer.deliver();
  }

  override _final(done: (err?: Error | null) => void): void {
    this.peer.push(null);
    done();
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    clearTimeout(this.#timer);
    if (!this.peer.destroyed) this.peer.destroy();
    done(err);
  }

  /** Hand queued bytes to the peer, as its reader and the rate allow. */
  deliver(): void {
    if (this.#timer || this.silenced || this.destroyed || this.peer.destroyed) return;
    const rate = this.options.bytesPerSecond;
    while (this.wanted && this.#queue.length) {
      const head = this.#queue[0] as Buffer;
      const piece = rate ? head.subarray(0, Math.max(1, Math.floor(rate / 100))) : head;
      if (piece.length === head.length) this.#queue.shift();
      else this.#queue[0] = head.subarray(piece.length);
      this.#queued -= piece.length;
      this.wanted = this.peer.push(piece);
      if (this.#queued <= this.options.capacity) for (const done of this.#waiting.splice(0)) done();
      if (rate) {
        this.#timer = setTimeout(() => {
          this.#timer = undefined;
          this.deliver();
        }, 10);
        return;
      }
    }
  }
}
