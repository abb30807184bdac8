import { constants, createDeflate, inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { spdy3Dictionary } from "./dictionary.js";
import { encodeFrame, FrameReader, type Frame } from "./frames.js";
import { HeaderCompressor, HeaderDecompressor } from "./header-block.js";

const samples: Frame[] = [
  { type: "data", streamId: 5, fin: false, data: Buffer.from("hello") },
  { type: "data", streamId: 0x7ffffffd, fin: true, data: Buffer.alloc(0) },
  { type: "synStream", streamId: 1, associatedId: 0, priority: 7, flags: 1, block: Buffer.from([1, 2, 3]) },
  { type: "synReply", streamId: 3, flags: 0, block: Buffer.from([9]) },
  { type: "headers", streamId: 3, flags: 1, block: Buffer.alloc(0) },
  { type: "rstStream", streamId: 7, status: 5 },
  {
    type: "settings",
    flags: 1,
    entries: [
      { flags: 1, id: 7, value: 1 << 20 },
      { flags: 0, id: 4, value: 100 },
    ],
  },
  { type: "ping", id: 0xfffffffe },
  { type: "goAway", lastGoodStreamId: 11, status: 2 },
  { type: "windowUpdate", streamId: 0, delta: 0x7fffffff },
];

describe("SPDY/3.1 frames", () => {
  it("encode and decode to the same frames, whole or cut anywhere", () => {
    const bytes = Buffer.concat(samples.map(encodeFrame));
    expect(new FrameReader().push(bytes)).toEqual(samples);
    for (const cut of [1, 7, 8, 9, 13, 30, bytes.length - 1]) {
      const r = new FrameReader();
      const got = [...r.push(bytes.subarray(0, cut)), ...r.push(bytes.subarray(cut))];
      expect(got).toEqual(samples);
      expect(r.pending).toBe(0);
    }
  });

  it("lays out the wire format of the draft (control bit, version 3, type, flags, length)", () => {
    const ping = encodeFrame({ type: "ping", id: 1 });
    expect(ping.toString("hex")).toBe("80030006" + "00000004" + "00000001");
    const data = encodeFrame({ type: "data", streamId: 3, fin: true, data: Buffer.from("ab") });
    expect(data.toString("hex")).toBe("00000003" + "01000002" + "6162");
    const wu = encodeFrame({ type: "windowUpdate", streamId: 1, delta: 65536 });
    expect(wu.toString("hex")).toBe("80030009" + "00000008" + "00000001" + "00010000");
  });

  it("rejects a control frame of another SPDY version", () => {
    const v2 = Buffer.from("80020006" + "00000004" + "00000001", "hex");
    expect(() => new FrameReader().push(v2)).toThrow(/version 2/);
  });
});

/** Header blocks as a real zlib compressor writes them: one stream, a sync flush after each block. */
async function zlibBlocks(blocks: Buffer[]): Promise<Buffer[]> {
  const z = createDeflate({ dictionary: spdy3Dictionary });
  const out: Buffer[] = [];
  for (const b of blocks) {
    z.write(b);
    await new Promise<void>((r) => z.flush(constants.Z_SYNC_FLUSH, () => r()));
    const parts: Buffer[] = [];
    for (let c = z.read() as Buffer | null; c !== null; c = z.read() as Buffer | null) parts.push(c);
    out.push(Buffer.concat(parts));
  }
  z.close();
  return out;
}

/** A header block before compression: count, then length-prefixed names and values. */
function rawBlock(h: Record<string, string>): Buffer {
  const u32 = (n: number) => Buffer.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
  const e = Object.entries(h);
  return Buffer.concat([
    u32(e.length),
    ...e.flatMap(([k, v]) => [u32(k.length), Buffer.from(k), u32(v.length), Buffer.from(v)]),
  ]);
}

describe("SPDY/3 header blocks", () => {
  it("use the SPDY/3 dictionary: zlib itself gives it the id our blocks name (0xe3c6a7c2)", async () => {
    expect(spdy3Dictionary.length).toBe(1423);
    const [real] = await zlibBlocks([rawBlock({ a: "b" })]);
    expect(real!.subarray(2, 6).toString("hex")).toBe("e3c6a7c2");
    const ours = new HeaderCompressor().compress({ streamtype: ["error"] });
    expect((ours[0]! * 256 + ours[1]!) % 31).toBe(0);
    expect(ours[1]! & 0x20).toBe(0x20); // FDICT
    expect(ours.subarray(2, 6)).toEqual(real!.subarray(2, 6));
  });

  it("written here are one zlib stream that zlib reads with the dictionary", () => {
    const c = new HeaderCompressor();
    const blocks = [
      c.compress({ streamtype: ["error"], port: ["80"] }),
      c.compress({ streamtype: ["data"] }),
    ];
    const raw = inflateSync(Buffer.concat(blocks), {
      dictionary: spdy3Dictionary,
      finishFlush: constants.Z_SYNC_FLUSH,
    });
    // Each block ends as a sync flush does, with an empty stored block: Go's reader (kubectl's)
    // only hands out a stored block's bytes once it reaches the next block header.
    for (const b of blocks) expect(b.subarray(-5)).toEqual(Buffer.from([0, 0, 0, 0xff, 0xff]));
    expect(raw).toEqual(
      Buffer.concat([rawBlock({ streamtype: "error", port: "80" }), rawBlock({ streamtype: "data" })]),
    );
  });

  it("round-trip through one context per direction, block after block", async () => {
    const c = new HeaderCompressor();
    const d = new HeaderDecompressor();
    for (let i = 0; i < 5; i++) {
      const h = { streamtype: [i % 2 ? "data" : "error"], port: ["8080"], requestid: [String(i)] };
      expect(await d.decompress(c.compress(h))).toEqual(h);
    }
    expect(await d.decompress(Buffer.alloc(0))).toEqual({});
    d.close();
  });

  it("compressed by zlib (back-references across blocks) are read in order", async () => {
    const hs = [0, 1, 2, 3].map((i) => ({
      streamtype: i % 2 ? "data" : "error",
      port: "8080",
      requestid: String(i),
    }));
    const blocks = await zlibBlocks(hs.map(rawBlock));
    // The shared context: later blocks refer back to earlier ones and come out smaller.
    expect(blocks[3]!.length).toBeLessThan(blocks[0]!.length);
    const d = new HeaderDecompressor();
    const got = await Promise.all(blocks.map((b) => d.decompress(b)));
    expect(got).toEqual(hs.map((h) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k, [v]]))));
    d.close();
  });

  it("keep several values of a name and lower-case names", async () => {
    const d = new HeaderDecompressor();
    expect(
      await d.decompress(new HeaderCompressor().compress({ "X-Multi": ["a", "b"], Port: ["1"] })),
    ).toEqual({
      "x-multi": ["a", "b"],
      port: ["1"],
    });
    d.close();
  });

  it("cannot be read by a decompressor that missed the start of the stream", async () => {
    const [, second] = await zlibBlocks([rawBlock({ a: "1" }), rawBlock({ a: "1" })]);
    await expect(new HeaderDecompressor().decompress(second!)).rejects.toThrow(/SPDY header block/);
  });
});
