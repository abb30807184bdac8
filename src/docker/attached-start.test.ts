import { PassThrough, Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { describe, expect, it } from "vitest";
import { demuxInto, engineMessage, startFailureCode } from "./attached-start.js";

const frame = (stream: 1 | 2, text: string | Buffer) => {
  const payload = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
};

const collect = () => {
  const chunks: Buffer[] = [];
  const w = new PassThrough();
  w.on("data", (c: Buffer) => chunks.push(c));
  return { w, text: () => Buffer.concat(chunks).toString() };
};

describe("demuxInto", () => {
  it("splits stdout from stderr, whatever the chunks' boundaries", async () => {
    const all = Buffer.concat([
      frame(1, "out one\n"),
      frame(2, "err one\n"),
      frame(1, ""),
      frame(1, "out two\n"),
    ]);
    for (const size of [1, 3, 8, 9, 17, all.length]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < all.length; i += size) chunks.push(all.subarray(i, i + size));
      const out = collect();
      const err = collect();
      await pipeline(Readable.from(chunks), demuxInto(out.w, err.w));
      expect(out.text()).toBe("out one\nout two\n");
      expect(err.text()).toBe("err one\n");
    }
  });

  it("takes no more from the engine while what it wrote has not drained", async () => {
    let taken = 0;
    const release: (() => void)[] = [];
    // A reader that takes one chunk and then holds the rest until it is let go.
    const slow = new Writable({
      highWaterMark: 4,
      write(_chunk, _e, done) {
        taken++;
        release.push(done);
      },
    });
    // 400 KiB in frames of 4 KiB: beyond what the streams between them buffer (16 KiB each).
    const frames = Array.from({ length: 100 }, () => frame(1, Buffer.alloc(4096, "x")));
    let pulled = 0;
    // The engine's side: a frame each time it is asked for more.
    const source = new Readable({
      highWaterMark: 16,
      read() {
        this.push(pulled < frames.length ? frames[pulled++] : null);
      },
    });
    const copied = pipeline(source, demuxInto(slow, slow));
    await new Promise((r) => setTimeout(r, 50));
    // One write to the reader is under way; the engine's side is asked for little more.
    expect(taken).toBe(1);
    expect(pulled).toBeLessThan(12);
    while (taken < frames.length) {
      release.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    release.shift()?.();
    await copied;
    expect(taken).toBe(frames.length);
  });
});

describe("startFailureCode", () => {
  it("gives docker run's codes for a program that cannot run", () => {
    expect(startFailureCode('exec: "nope": executable file not found in $PATH')).toBe(127);
    expect(engineMessage("(HTTP code 400) bad parameter - failed to create shim task: x ")).toBe(
      "failed to create shim task: x",
    );
    expect(engineMessage("connect ENOENT /var/run/docker.sock")).toBe("connect ENOENT /var/run/docker.sock");
    expect(startFailureCode("exec /app: permission denied")).toBe(126);
    expect(startFailureCode("Bind for 0.0.0.0:80 failed: port is already allocated")).toBe(125);
  });
});
