/**
 * SPDY/3.1 frames (draft-mbelshe-httpbis-spdy-00 and the 3.1 session flow control): a control frame
 * is 0x8003 (version 3), type, flags, 24-bit length; a data frame is a 31-bit stream id, flags and
 * a 24-bit length. Header blocks stay compressed here (header-block.ts reads and writes them).
 */
export const frameType = {
  synStream: 1,
  synReply: 2,
  rstStream: 3,
  settings: 4,
  ping: 6,
  goAway: 7,
  headers: 8,
  windowUpdate: 9,
} as const;

export const flag = { fin: 0x01, unidirectional: 0x02 } as const;

/** RST_STREAM status codes. */
export const rstStatus = {
  protocolError: 1,
  invalidStream: 2,
  refusedStream: 3,
  cancel: 5,
  internalError: 6,
  flowControlError: 7,
  streamInUse: 8,
  streamAlreadyClosed: 9,
} as const;

export const settingsId = { initialWindowSize: 7 } as const;

/** The largest payload of one frame (24-bit length). */
export const maxFrameLength = 0xffffff;
export const defaultWindow = 64 * 1024;

export type Frame =
  | { type: "data"; streamId: number; fin: boolean; data: Buffer }
  | {
      type: "synStream";
      streamId: number;
      associatedId: number;
      priority: number;
      flags: number;
      block: Buffer;
    }
  | { type: "synReply"; streamId: number; flags: number; block: Buffer }
  | { type: "headers"; streamId: number; flags: number; block: Buffer }
  | { type: "rstStream"; streamId: number; status: number }
  | { type: "settings"; flags: number; entries: { flags: number; id: number; value: number }[] }
  | { type: "ping"; id: number }
  | { type: "goAway"; lastGoodStreamId: number; status: number }
  | { type: "windowUpdate"; streamId: number; delta: number }
  | { type: "unknown"; frameType: number; payload: Buffer };

function control(type: number, flags: number, payload: Buffer): Buffer {
  if (payload.length > maxFrameLength) throw new Error("SPDY frame too long");
  const h = Buffer.alloc(8);
  h.writeUInt16BE(0x8003, 0);
  h.writeUInt16BE(type, 2);
  h.writeUInt32BE(((flags & 0xff) << 24) | payload.length, 4);
  return Buffer.concat([h, payload]);
}

function words(...ns: number[]): Buffer {
  const b = Buffer.alloc(ns.length * 4);
  ns.forEach((n, i) => b.writeUInt32BE(n >>> 0, i * 4));
  return b;
}

/** The bytes of a frame; header blocks must already be compressed. */
export function encodeFrame(f: Frame): Buffer {
  switch (f.type) {
    case "data": {
      if (f.data.length > maxFrameLength) throw new Error("SPDY frame too long");
      const h = Buffer.alloc(8);
      h.writeUInt32BE(f.streamId & 0x7fffffff, 0);
      h.writeUInt32BE(((f.fin ? flag.fin : 0) << 24) | f.data.length, 4);
      return Buffer.concat([h, f.data]);
    }
    case "synStream": {
      const p = Buffer.alloc(10);
      p.writeUInt32BE(f.streamId & 0x7fffffff, 0);
      p.writeUInt32BE(f.associatedId & 0x7fffffff, 4);
      p.writeUInt8((f.priority & 7) << 5, 8);
      return control(frameType.synStream, f.flags, Buffer.concat([p, f.block]));
    }
    case "synReply":
      return control(frameType.synReply, f.flags, Buffer.concat([words(f.streamId & 0x7fffffff), f.block]));
    case "headers":
      return control(frameType.headers, f.flags, Buffer.concat([words(f.streamId & 0x7fffffff), f.block]));
    case "rstStream":
      return control(frameType.rstStream, 0, words(f.streamId & 0x7fffffff, f.status));
    case "settings":
      return control(
        frameType.settings,
        f.flags,
        words(
          f.entries.length,
          ...f.entries.flatMap((e) => [((e.flags & 0xff) << 24) | (e.id & 0xffffff), e.value]),
        ),
      );
    case "ping":
      return control(frameType.ping, 0, words(f.id));
    case "goAway":
      return control(frameType.goAway, 0, words(f.lastGoodStreamId & 0x7fffffff, f.status));
    case "windowUpdate":
      return control(frameType.windowUpdate, 0, words(f.streamId & 0x7fffffff, f.delta & 0x7fffffff));
    case "unknown":
      return control(f.frameType, 0, f.payload);
  }
}

function need(p: Buffer, n: number, what: string): void {
  if (p.length < n) throw new Error(`SPDY ${what} frame too short`);
}

function decodeControl(type: number, flags: number, p: Buffer): Frame {
  const id = (at: number) => p.readUInt32BE(at) & 0x7fffffff;
  switch (type) {
    case frameType.synStream:
      need(p, 10, "SYN_STREAM");
      return {
        type: "synStream",
        streamId: id(0),
        associatedId: id(4),
        priority: p.readUInt8(8) >> 5,
        flags,
        block: p.subarray(10),
      };
    case frameType.synReply:
      need(p, 4, "SYN_REPLY");
      return { type: "synReply", streamId: id(0), flags, block: p.subarray(4) };
    case frameType.headers:
      need(p, 4, "HEADERS");
      return { type: "headers", streamId: id(0), flags, block: p.subarray(4) };
    case frameType.rstStream:
      need(p, 8, "RST_STREAM");
      return { type: "rstStream", streamId: id(0), status: p.readUInt32BE(4) };
    case frameType.settings: {
      need(p, 4, "SETTINGS");
      const n = p.readUInt32BE(0);
      need(p, 4 + n * 8, "SETTINGS");
      const entries = Array.from({ length: n }, (_, i) => {
        const w = p.readUInt32BE(4 + i * 8);
        return { flags: w >>> 24, id: w & 0xffffff, value: p.readUInt32BE(8 + i * 8) };
      });
      return { type: "settings", flags, entries };
    }
    case frameType.ping:
      need(p, 4, "PING");
      return { type: "ping", id: p.readUInt32BE(0) };
    case frameType.goAway:
      need(p, 8, "GOAWAY");
      return { type: "goAway", lastGoodStreamId: id(0), status: p.readUInt32BE(4) };
    case frameType.windowUpdate:
      need(p, 8, "WINDOW_UPDATE");
      return { type: "windowUpdate", streamId: id(0), delta: p.readUInt32BE(4) & 0x7fffffff };
    default:
      return { type: "unknown", frameType: type, payload: p };
  }
}

/** Cuts a byte stream into frames; push bytes as they arrive, take the frames that are complete. */
export class FrameReader {
  private chunks: Buffer[] = [];
  private length = 0;

  push(b: Buffer): Frame[] {
    this.chunks.push(b);
    this.length += b.length;
    const out: Frame[] = [];
    let buf = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    let at = 0;
    while (buf.length - at >= 8) {
      const w0 = buf.readUInt32BE(at);
      const w1 = buf.readUInt32BE(at + 4);
      const len = w1 & 0xffffff;
      if (buf.length - at < 8 + len) break;
      const payload = buf.subarray(at + 8, at + 8 + len);
      const flags = w1 >>> 24;
      if (w0 & 0x80000000) {
        const version = (w0 >>> 16) & 0x7fff;
        if (version !== 3) throw new Error(`unsupported SPDY version ${version}`);
        out.push(decodeControl(w0 & 0xffff, flags, payload));
      } else {
        out.push({ type: "data", streamId: w0 & 0x7fffffff, fin: (flags & flag.fin) !== 0, data: payload });
      }
      at += 8 + len;
    }
    buf = buf.subarray(at);
    this.chunks = buf.length ? [buf] : [];
    this.length = buf.length;
    return out;
  }

  /** Bytes held for a frame that is not complete yet. */
  get pending(): number {
    return this.length;
  }
}
