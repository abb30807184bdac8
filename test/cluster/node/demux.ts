import type { Readable } from "node:stream";

/**
 * Splits Docker's multiplexed attach/logs stream (8-byte headers: stream type, 3 zero bytes, a
 * big-endian length) into stdout (1) and stderr (2) chunks.
 */
export function demuxDocker(stream: Readable, onData: (streamType: number, data: Buffer) => void): void {
  let buf: Buffer = Buffer.alloc(0);
  stream.on("data", (chunk: Buffer) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    while (buf.length >= 8) {
      const size = buf.readUInt32BE(4);
      if (buf.length < 8 + size) break;
      const type = buf[0] ?? 1;
      const data = buf.subarray(8, 8 + size);
      buf = buf.subarray(8 + size);
      if (data.length) onData(type, data);
    }
  });
}
