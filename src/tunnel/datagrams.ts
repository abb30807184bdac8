import type { Duplex } from "node:stream";
import { maxDatagram } from "../contract/udp-protocol.js";

/** One datagram as a frame of a UDP flow's stream: a 2-byte big-endian length, then the payload. */
export function frameDatagram(payload: Buffer): Buffer {
  if (payload.length > maxDatagram) throw new RangeError(`datagram of ${payload.length} bytes`);
  const frame = Buffer.allocUnsafe(2 + payload.length);
  frame.writeUInt16BE(payload.length, 0);
  payload.copy(frame, 2);
  return frame;
}

/** Cuts a stream's bytes back into datagrams, however the chunks fall. */
export class DatagramReader {
  #chunks: Buffer[] = [];
  #length = 0;
  /** Bytes needed before the next datagram can be cut. */
  #need = 2;

  constructor(private readonly onDatagram: (payload: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#length += chunk.length;
    if (this.#length < this.#need) return;
    let buf = this.#chunks.length === 1 ? chunk : Buffer.concat(this.#chunks, this.#length);
    while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
      const length = buf.readUInt16BE(0);
      this.onDatagram(buf.subarray(2, 2 + length));
      buf = buf.subarray(2 + length);
    }
    this.#chunks = buf.length ? [buf] : [];
    this.#length = buf.length;
    this.#need = buf.length >= 2 ? 2 + buf.readUInt16BE(0) : 2;
  }
}

/** Read a flow's stream as datagrams. */
export function readDatagrams(stream: Duplex, onDatagram: (payload: Buffer) => void): void {
  const reader = new DatagramReader(onDatagram);
  stream.on("data", (chunk: Buffer) => reader.push(chunk));
}

/** Write one datagram to a flow's stream; false when the stream is gone. */
export function writeDatagram(stream: Duplex, payload: Buffer): boolean {
  if (stream.destroyed || stream.writableEnded) return false;
  stream.write(frameDatagram(payload));
  return true;
}
