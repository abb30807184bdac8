import { constants, createInflate, type Inflate } from "node:zlib";
import { dictionaryId, spdy3Dictionary } from "./dictionary.js";

/** SPDY header names and their values (several values of one name are joined by NUL on the wire). */
export type SpdyHeaders = Record<string, string[]>;

function encodeBlock(headers: SpdyHeaders): Buffer {
  const entries = Object.entries(headers);
  const parts: Buffer[] = [u32(entries.length)];
  for (const [name, values] of entries) {
    const n = Buffer.from(name.toLowerCase(), "utf8");
    const v = Buffer.from(values.join("\0"), "utf8");
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

function decodeBlock(raw: Buffer): SpdyHeaders {
  const headers: SpdyHeaders = {};
  let at = 0;
  const take = (): Buffer => {
    if (at + 4 > raw.length) throw new Error("truncated SPDY header block");
    const len = raw.readUInt32BE(at);
    at += 4;
    if (at + len > raw.length) throw new Error("truncated SPDY header block");
    const b = raw.subarray(at, at + len);
    at += len;
    return b;
  };
  if (raw.length < 4) throw new Error("truncated SPDY header block");
  const count = raw.readUInt32BE(0);
  at = 4;
  for (let i = 0; i < count; i++) {
    const name = take().toString("utf8").toLowerCase();
    const values = take().toString("utf8").split("\0");
    headers[name] = [...(headers[name] ?? []), ...values];
  }
  return headers;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/**
 * This side's header compression stream: one zlib stream per connection (SPDY/3) that names the
 * SPDY dictionary, each header block a stored (uncompressed) deflate block and then an empty one,
 * as a sync flush ends. Any SPDY reader inflates it with its shared context; it is
 * written synchronously, so header frames keep their order with the data frames around them.
 */
export class HeaderCompressor {
  private started = false;

  compress(headers: SpdyHeaders): Buffer {
    const parts: Buffer[] = [];
    if (!this.started) {
      this.started = true;
      // CMF 0x78 (deflate, 32 KiB window), FLG 0x20 (FDICT; 0x7820 is a multiple of 31), DICTID.
      const zhead = Buffer.from([0x78, 0x20, 0, 0, 0, 0]);
      zhead.writeUInt32BE(dictionaryId, 2);
      parts.push(zhead);
    }
    const raw = encodeBlock(headers);
    for (let at = 0; at === 0 || at < raw.length; at += 0xffff) {
      const piece = raw.subarray(at, at + 0xffff);
      const h = Buffer.alloc(5);
      h.writeUInt8(0, 0); // BFINAL 0, BTYPE 00 (stored), padded to the byte
      h.writeUInt16LE(piece.length, 1);
      h.writeUInt16LE(~piece.length & 0xffff, 3);
      parts.push(h, piece);
    }
    // The sync flush marker, an empty stored block: readers (Go's flate) hand out a block's data
    // when they reach it, without reading past the frame.
    parts.push(Buffer.from([0, 0, 0, 0xff, 0xff]));
    return Buffer.concat(parts);
  }
}

/** The peer's header compression stream: zlib with the SPDY dictionary, block after block in order. */
export class HeaderDecompressor {
  private readonly z: Inflate = createInflate({ dictionary: spdy3Dictionary });
  private chain: Promise<unknown> = Promise.resolve();

  constructor() {
    this.z.on("error", () => undefined);
  }

  /** The headers of the next block (blocks must be given in the order they arrived). */
  decompress(block: Buffer): Promise<SpdyHeaders> {
    const next = this.chain.then(() => this.inflate(block));
    this.chain = next.catch(() => undefined);
    return next;
  }

  private inflate(block: Buffer): Promise<SpdyHeaders> {
    if (block.length === 0) return Promise.resolve({});
    return new Promise((resolve, reject) => {
      const onError = (e: Error) => reject(new Error(`SPDY header block: ${e.message}`));
      this.z.once("error", onError);
      this.z.write(block);
      this.z.flush(constants.Z_SYNC_FLUSH, () => {
        this.z.off("error", onError);
        const out: Buffer[] = [];
        for (let c = this.z.read() as Buffer | null; c !== null; c = this.z.read() as Buffer | null)
          out.push(c);
        try {
          resolve(decodeBlock(Buffer.concat(out)));
        } catch (e) {
          reject(e as Error);
        }
      });
    });
  }

  close(): void {
    this.z.close();
  }
}

/** The first value of a header, "" when absent. */
export function header(h: SpdyHeaders, name: string): string {
  return h[name.toLowerCase()]?.[0] ?? "";
}
