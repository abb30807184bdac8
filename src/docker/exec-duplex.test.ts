import Dockerode from "dockerode";
import { Duplex, PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { ExecDuplex } from "./exec-duplex.js";

function frame(stream: number, data: Buffer | string): Buffer {
  const body = Buffer.from(data);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

/** A fake hijacked connection: what the test writes to `incoming` is what Docker sends. */
function fakeRaw(): { raw: Duplex; incoming: PassThrough; written: Buffer[] } {
  const incoming = new PassThrough();
  const written: Buffer[] = [];
  const raw = Duplex.from({
    readable: incoming,
    writable: new PassThrough().on("data", (c: Buffer) => written.push(c)),
  });
  return { raw, incoming, written };
}

const modem = new Dockerode({ socketPath: "/nonexistent" }).modem;

describe("ExecDuplex", () => {
  it("reads stdout out of frames split anywhere, and keeps stderr apart", async () => {
    const { raw, incoming } = fakeRaw();
    const pipe = new ExecDuplex(raw, modem);
    const bytes = Buffer.concat([frame(1, "hello "), frame(2, "oops"), frame(1, "world")]);
    for (let i = 0; i < bytes.length; i += 3) incoming.write(bytes.subarray(i, i + 3));
    incoming.end();
    const out: Buffer[] = [];
    for await (const chunk of pipe) out.push(chunk as Buffer);
    expect(Buffer.concat(out).toString()).toBe("hello world");
    expect(pipe.stderrText).toBe("oops");
  });

  it("stops reading the connection while its reader is behind, and loses nothing", async () => {
    const { raw, incoming } = fakeRaw();
    const pipe = new ExecDuplex(raw, modem);
    const chunk = Buffer.alloc(64 * 1024, 7);
    for (let i = 0; i < 64; i++) incoming.write(frame(1, chunk));
    incoming.end();
    await new Promise((r) => setTimeout(r, 50));
    // Nobody reads yet: the connection is paused with most of the 4 MiB still in it.
    expect(raw.isPaused()).toBe(true);
    expect(pipe.readableLength).toBeLessThan(1024 * 1024);
    let total = 0;
    for await (const c of pipe) total += (c as Buffer).length;
    expect(total).toBe(64 * chunk.length);
  });

  it("writes go to the process's stdin as they are", async () => {
    const { raw, written } = fakeRaw();
    const pipe = new ExecDuplex(raw, modem);
    await new Promise<void>((resolve) => pipe.write("input", () => resolve()));
    expect(Buffer.concat(written).toString()).toBe("input");
    pipe.destroy();
  });
});
