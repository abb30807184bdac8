import type { Readable } from "node:stream";

type OnData = (streamType: number, data: Buffer) => void;

/** Hands on each whole frame at the start of `buf`; returns what is left (a frame not yet whole). */
function takeFrames(buf: Buffer, onData: OnData): Buffer {
  while (buf.length >= 8) {
    const size = buf.readUInt32BE(4);
    if (buf.length < 8 + size) break;
    const type = buf[0] ?? 1;
    const data = buf.subarray(8, 8 + size);
    buf = buf.subarray(8 + size);
    if (data.length) onData(type, data);
  }
  return buf;
}

/**
 * Splits Docker's multiplexed attach/logs stream (8-byte headers: stream type, 3 zero bytes, a
 * big-endian length) into stdout (1) and stderr (2) chunks.
 */
export function demuxDocker(stream: Readable, onData: OnData): void {
  let buf: Buffer = Buffer.alloc(0);
  stream.on("data", (chunk: Buffer) => {
    buf = takeFrames(buf.length ? Buffer.concat([buf, chunk]) : chunk, onData);
  });
}

/** The payloads of a whole multiplexed output (a `logs` without follow), in order. */
export function demuxBuffer(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  takeFrames(buf, (_t, d) => out.push(d));
  return out;
}
