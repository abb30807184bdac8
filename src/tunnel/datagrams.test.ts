import { describe, expect, it } from "vitest";
import { DatagramReader, frameDatagram } from "./datagrams.js";

describe("datagram frames", () => {
  it("gives back each datagram whole however the stream's chunks fall", () => {
    const sent = [Buffer.from("a"), Buffer.alloc(0), Buffer.alloc(60_000, 7), Buffer.from("last")];
    const bytes = Buffer.concat(sent.map(frameDatagram));
    for (const size of [1, 2, 3, 1000, bytes.length]) {
      const got: Buffer[] = [];
      const reader = new DatagramReader((d) => got.push(Buffer.from(d)));
      for (let i = 0; i < bytes.length; i += size) reader.push(bytes.subarray(i, i + size));
      expect(got.map((d) => d.length)).toEqual(sent.map((d) => d.length));
      expect(got.every((d, i) => d.equals(sent[i] as Buffer))).toBe(true);
    }
  });

  it("refuses a payload larger than UDP allows", () => {
    expect(() => frameDatagram(Buffer.alloc(65_508))).toThrow(RangeError);
  });
});
