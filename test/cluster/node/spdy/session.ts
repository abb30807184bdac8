import { EventEmitter } from "node:events";
import type { Duplex } from "node:stream";
import { defaultWindow, encodeFrame, flag, rstStatus, settingsId, type Frame } from "./frames.js";
import { HeaderCompressor, type SpdyHeaders } from "./header-block.js";
import { InboundFrames } from "./inbound.js";
import { describeFrame, spdyDebug } from "./debug.js";
import { SpdyStream, type StreamSession } from "./stream.js";

export interface SessionOptions {
  /** The side that answered the upgrade: its streams and pings have even ids, the client's odd. */
  server: boolean;
  /**
   * Keep to the peer's flow control windows. Off for peers that never send WINDOW_UPDATE, as
   * spdystream (kubectl's and the kubelet's SPDY) does not: they rely on the connection's own
   * back-pressure, and a sender that waited for window updates would stall after 64 KiB.
   */
  enforceSendWindow?: boolean;
  /** The largest data frame this side sends. */
  maxDataFrame?: number;
}

/**
 * A SPDY/3.1 session over a connection (what follows an `Upgrade: SPDY/3.1` or a WebSocket tunnel):
 * streams either side opens, SYN_REPLY, RST_STREAM, SETTINGS (initial window), PING answers,
 * GOAWAY, and WINDOW_UPDATE for the session and each stream. Emits "stream" for each stream the
 * peer opens and "close" when the connection ends. Streams end by closing, never with an error
 * event: the peer's RST_STREAM is a "reset" event (with its status) on the stream.
 */
export class SpdySession extends EventEmitter implements StreamSession {
  private readonly inbound = new InboundFrames(
    (f, headers) => this.onFrame(f, headers),
    (e) => this.protocolError(e),
  );
  private readonly compressor = new HeaderCompressor();
  private readonly streams = new Map<number, SpdyStream>();
  private readonly blocked = new Set<SpdyStream>();
  private readonly pings = new Map<number, () => void>();
  private nextStreamId: number;
  private nextPingId: number;
  private lastPeerStreamId = 0;
  private initialSendWindow = defaultWindow;
  private sessionSendWindow = defaultWindow;
  private sessionUnacked = 0;
  private closed = false;
  private goneAway = false;
  private readonly enforce: boolean;
  private readonly maxDataFrame: number;

  constructor(
    private readonly socket: Duplex,
    opts: SessionOptions,
  ) {
    super();
    this.nextStreamId = opts.server ? 2 : 1;
    this.nextPingId = opts.server ? 2 : 1;
    this.enforce = opts.enforceSendWindow ?? false;
    this.maxDataFrame = opts.maxDataFrame ?? 64 * 1024;
    socket.setMaxListeners(0);
    socket.on("data", (b: Buffer) => this.inbound.push(b));
    socket.on("end", () => this.shutdown());
    socket.on("close", () => this.shutdown());
    socket.on("error", (e) => this.shutdown(e));
  }

  /** Open a stream (SYN_STREAM) with these headers. */
  openStream(headers: SpdyHeaders, opts: { fin?: boolean; priority?: number } = {}): SpdyStream {
    if (this.closed || this.goneAway) throw new Error("SPDY session is closed");
    const id = this.nextStreamId;
    this.nextStreamId += 2;
    const s = new SpdyStream(this, id, headers, this.initialSendWindow);
    this.streams.set(id, s);
    const block = this.compressor.compress(headers);
    this.write({
      type: "synStream",
      streamId: id,
      associatedId: 0,
      priority: opts.priority ?? 0,
      flags: opts.fin ? flag.fin : 0,
      block,
    });
    if (opts.fin) {
      s.localClosed = true;
      s.end();
    }
    return s;
  }

  /** PING; resolves when the peer answers it. */
  ping(): Promise<void> {
    const id = this.nextPingId;
    this.nextPingId += 2;
    return new Promise((resolve) => {
      this.pings.set(id, resolve);
      this.write({ type: "ping", id });
    });
  }

  /** GOAWAY, then the connection ends once written. */
  goAway(status = 0): void {
    if (this.closed) return;
    this.write({ type: "goAway", lastGoodStreamId: this.lastPeerStreamId, status });
    this.socket.end();
    this.shutdown();
  }

  get openStreams(): number {
    return this.streams.size;
  }

  // --- StreamSession ---

  sendReply(stream: SpdyStream, headers: SpdyHeaders): void {
    this.write({ type: "synReply", streamId: stream.id, flags: 0, block: this.compressor.compress(headers) });
  }

  sendReset(stream: SpdyStream, status: number): void {
    if (!this.closed) this.write({ type: "rstStream", streamId: stream.id, status });
  }

  sendData(stream: SpdyStream, fin: boolean): void {
    if (fin) stream.finPending = true;
    this.flush(stream);
  }

  consumed(stream: SpdyStream, bytes: number): void {
    stream.unacked += bytes;
    this.sessionUnacked += bytes;
    if (this.blocked.delete(stream) && this.blocked.size === 0) this.socket.resume();
    if (this.closed) return;
    if (stream.unacked >= defaultWindow / 2 && !stream.remoteClosed) {
      this.write({ type: "windowUpdate", streamId: stream.id, delta: stream.unacked });
      stream.unacked = 0;
    }
    if (this.sessionUnacked >= defaultWindow / 2) {
      this.write({ type: "windowUpdate", streamId: 0, delta: this.sessionUnacked });
      this.sessionUnacked = 0;
    }
  }

  forget(stream: SpdyStream): void {
    this.streams.delete(stream.id);
    if (this.blocked.delete(stream) && this.blocked.size === 0) this.socket.resume();
  }

  // --- sending ---

  private write(f: Frame): boolean {
    if (spdyDebug) console.log("spdy >", describeFrame(f));
    if (this.closed || this.socket.destroyed) return false;
    return this.socket.write(encodeFrame(f));
  }

  /** Sends what a stream holds, as far as the windows allow; calls its write callback when all is out. */
  private flush(s: SpdyStream): void {
    let writable = true;
    while (s.outgoing.length > 0) {
      let n = Math.min(s.outgoing.length, this.maxDataFrame);
      if (this.enforce) n = Math.min(n, s.sendWindow, this.sessionSendWindow);
      if (n <= 0) return; // a WINDOW_UPDATE flushes again
      const data = s.outgoing.subarray(0, n);
      s.outgoing = s.outgoing.subarray(n);
      s.sendWindow -= n;
      this.sessionSendWindow -= n;
      const fin = s.finPending && s.outgoing.length === 0;
      writable = this.write({ type: "data", streamId: s.id, fin, data });
      if (fin) this.closeLocal(s);
    }
    if (s.finPending && !s.localClosed) {
      writable = this.write({ type: "data", streamId: s.id, fin: true, data: Buffer.alloc(0) });
      this.closeLocal(s);
    }
    const done = s.outgoingDone;
    if (!done) return;
    s.outgoingDone = undefined;
    if (writable || this.closed) done();
    else this.socket.once("drain", () => done());
  }

  private closeLocal(s: SpdyStream): void {
    s.localClosed = true;
    s.finPending = false;
    if (s.remoteClosed) this.forget(s);
  }

  // --- receiving ---

  private protocolError(e: Error): void {
    this.write({ type: "goAway", lastGoodStreamId: this.lastPeerStreamId, status: 1 });
    this.socket.destroy();
    this.shutdown(e);
  }

  private onFrame(f: Frame, headers: SpdyHeaders): void {
    if (spdyDebug) console.log("spdy <", describeFrame(f), JSON.stringify(headers));
    switch (f.type) {
      case "synStream": {
        if (this.goneAway || this.closed) return;
        const peerId = (f.streamId & 1) === (this.nextStreamId & 1) ? -1 : f.streamId;
        if (peerId <= this.lastPeerStreamId || this.streams.has(f.streamId)) {
          this.write({ type: "rstStream", streamId: f.streamId, status: rstStatus.protocolError });
          return;
        }
        this.lastPeerStreamId = f.streamId;
        const s = new SpdyStream(this, f.streamId, headers, this.initialSendWindow);
        this.streams.set(f.streamId, s);
        if (f.flags & flag.unidirectional) s.localClosed = true;
        this.emit("stream", s);
        if (f.flags & flag.fin) s.remoteEnd();
        return;
      }
      case "synReply": {
        const s = this.streams.get(f.streamId);
        if (!s) return;
        s.replyHeaders = headers;
        s.emit("reply", headers);
        if (f.flags & flag.fin) s.remoteEnd();
        return;
      }
      case "headers": {
        const s = this.streams.get(f.streamId);
        if (s && f.flags & flag.fin) s.remoteEnd();
        return;
      }
      case "data": {
        const s = this.streams.get(f.streamId);
        if (!s || s.remoteClosed) {
          if (!s) this.write({ type: "rstStream", streamId: f.streamId, status: rstStatus.invalidStream });
          // Still counted for the session window, or the peer's would shrink for good.
          this.sessionUnacked += f.data.length;
          return;
        }
        if (f.data.length && !s.deliver(f.data)) {
          this.blocked.add(s);
          this.socket.pause();
        }
        if (f.fin) s.remoteEnd();
        return;
      }
      case "rstStream": {
        const s = this.streams.get(f.streamId);
        if (!s) return;
        s.localClosed = s.remoteClosed = true;
        this.forget(s);
        s.emit("reset", f.status);
        s.destroy();
        return;
      }
      case "settings":
        for (const e of f.entries) {
          if (e.id !== settingsId.initialWindowSize) continue;
          const delta = e.value - this.initialSendWindow;
          this.initialSendWindow = e.value;
          for (const s of this.streams.values()) s.sendWindow += delta;
        }
        this.flushAll();
        return;
      case "ping": {
        const mine = (f.id & 1) === (this.nextPingId & 1);
        if (!mine) this.write(f);
        else this.pings.get(f.id)?.();
        this.pings.delete(f.id);
        return;
      }
      case "goAway":
        this.goneAway = true;
        this.emit("goaway", f.status);
        return;
      case "windowUpdate":
        if (f.streamId === 0) this.sessionSendWindow += f.delta;
        else {
          const s = this.streams.get(f.streamId);
          if (s) s.sendWindow += f.delta;
        }
        this.flushAll();
        return;
      case "unknown":
        return;
    }
  }

  private flushAll(): void {
    for (const s of this.streams.values()) if (s.outgoing.length || s.finPending) this.flush(s);
  }

  private shutdown(err?: Error): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) {
      s.localClosed = s.remoteClosed = true;
      s.destroy();
    }
    this.streams.clear();
    this.inbound.stop();
    if (!this.socket.destroyed) this.socket.end();
    this.emit("close", err);
  }
}
