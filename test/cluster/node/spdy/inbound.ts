import { FrameReader, type Frame } from "./frames.js";
import { HeaderDecompressor, type SpdyHeaders } from "./header-block.js";

/**
 * The frames a connection brings, handed on in order with their headers: a header block is
 * inflated (asynchronously, in the connection's one zlib context) before any frame after it.
 */
export class InboundFrames {
  private readonly reader = new FrameReader();
  private readonly decompressor = new HeaderDecompressor();
  private inbox: Frame[] = [];
  private inflating = false;
  private stopped = false;

  constructor(
    private readonly handle: (f: Frame, headers: SpdyHeaders) => void,
    private readonly fail: (e: Error) => void,
  ) {}

  push(b: Buffer): void {
    if (this.stopped) return;
    try {
      this.inbox.push(...this.reader.push(b));
    } catch (e) {
      this.fail(e as Error);
      return;
    }
    this.drain();
  }

  stop(): void {
    this.stopped = true;
    this.inbox = [];
    this.decompressor.close();
  }

  private drain(): void {
    while (!this.inflating && !this.stopped && this.inbox.length) {
      const f = this.inbox.shift()!;
      if (f.type !== "synStream" && f.type !== "synReply" && f.type !== "headers") {
        this.handle(f, {});
        continue;
      }
      this.inflating = true;
      this.decompressor.decompress(f.block).then(
        (headers) => {
          this.inflating = false;
          if (this.stopped) return;
          this.handle(f, headers);
          this.drain();
        },
        (e: Error) => {
          this.inflating = false;
          if (!this.stopped) this.fail(e);
        },
      );
    }
  }
}
