import { Duplex } from "node:stream";
import { defaultWindow, rstStatus } from "./frames.js";
import type { SpdyHeaders } from "./header-block.js";

/** What a stream needs of its session (session.ts). */
export interface StreamSession {
  sendData(stream: SpdyStream, fin: boolean): void;
  sendReply(stream: SpdyStream, headers: SpdyHeaders): void;
  sendReset(stream: SpdyStream, status: number): void;
  consumed(stream: SpdyStream, bytes: number): void;
  forget(stream: SpdyStream): void;
}

/**
 * One SPDY stream as a Node Duplex: what is written goes out as data frames (within the peer's
 * window when the session keeps to windows), end() sends FIN; what the peer sends is read here, and
 * its FIN ends the readable side. reset() (or the peer's RST_STREAM) ends both at once.
 */
export class SpdyStream extends Duplex {
  /** Bytes waiting to go out as data frames, and the write callback to call once they are sent. */
  outgoing: Buffer = Buffer.alloc(0);
  outgoingDone?: (err?: Error | null) => void;
  finPending = false;
  sendWindow: number;
  receiveWindow = defaultWindow;
  unacked = 0;
  localClosed = false;
  remoteClosed = false;
  replied = false;
  replyHeaders?: SpdyHeaders;
  /** Data received while the reader was not asking for more (its window is granted when read). */
  held = 0;

  constructor(
    private readonly session: StreamSession,
    readonly id: number,
    readonly headers: SpdyHeaders,
    sendWindow: number,
  ) {
    super({ allowHalfOpen: true });
    this.sendWindow = sendWindow;
  }

  /** SYN_REPLY with these headers (a stream the peer opened is answered once). */
  reply(headers: SpdyHeaders = {}): void {
    if (this.replied) return;
    this.replied = true;
    this.session.sendReply(this, headers);
  }

  /** RST_STREAM: the stream ends on both sides at once, unsent data is dropped. */
  reset(status: number = rstStatus.cancel): void {
    if (this.localClosed && this.remoteClosed) return;
    this.session.sendReset(this, status);
    this.localClosed = this.remoteClosed = true;
    this.outgoing = Buffer.alloc(0);
    this.destroy();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.localClosed) return cb(new Error(`SPDY stream ${this.id} is closed`));
    this.outgoing = this.outgoing.length ? Buffer.concat([this.outgoing, chunk]) : chunk;
    this.outgoingDone = cb;
    this.session.sendData(this, false);
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (this.localClosed) return cb();
    this.finPending = true;
    this.outgoingDone = cb;
    this.session.sendData(this, true);
  }

  override _read(): void {
    if (this.held > 0) {
      const n = this.held;
      this.held = 0;
      this.session.consumed(this, n);
    }
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (!(this.localClosed && this.remoteClosed)) {
      this.session.sendReset(this, rstStatus.cancel);
      this.localClosed = this.remoteClosed = true;
    }
    this.session.forget(this);
    const done = this.outgoingDone;
    this.outgoingDone = undefined;
    done?.(err ?? new Error(`SPDY stream ${this.id} was reset`));
    cb(err);
  }

  /** Data from the peer; false when the reader is full (the session pauses reading the connection). */
  deliver(data: Buffer): boolean {
    if (this.readableEnded || this.destroyed) return true;
    const more = this.push(data);
    if (more) this.session.consumed(this, data.length);
    else this.held += data.length;
    return more;
  }

  /** The peer's FIN. */
  remoteEnd(): void {
    if (this.remoteClosed) return;
    this.remoteClosed = true;
    this.push(null);
    if (this.localClosed) this.session.forget(this);
  }
}
