/** A reader of the protocol buffers wire format (varints, length-delimited fields). */
export interface WireField {
  field: number;
  wireType: number;
  /** Varint and fixed values. */
  num?: bigint;
  /** Length-delimited payload. */
  bytes?: Buffer;
}

export class ProtobufError extends Error {}

export function readFields(buf: Buffer): WireField[] {
  const out: WireField[] = [];
  let i = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    while (true) {
      if (i >= buf.length) throw new ProtobufError("truncated varint");
      const b = buf[i++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
      shift += 7n;
    }
  };
  while (i < buf.length) {
    const key = Number(varint());
    const field = key >>> 3;
    const wireType = key & 7;
    switch (wireType) {
      case 0:
        out.push({ field, wireType, num: varint() });
        break;
      case 1:
        out.push({ field, wireType, num: buf.readBigUInt64LE(i) });
        i += 8;
        break;
      case 2: {
        const len = Number(varint());
        if (i + len > buf.length) throw new ProtobufError("truncated field");
        out.push({ field, wireType, bytes: buf.subarray(i, i + len) });
        i += len;
        break;
      }
      case 5:
        out.push({ field, wireType, num: BigInt(buf.readUInt32LE(i)) });
        i += 4;
        break;
      default:
        throw new ProtobufError(`unsupported wire type ${wireType}`);
    }
  }
  return out;
}

/** A varint as a signed 64-bit number (int32/int64 fields carry negatives as two's complement). */
export function signed(n: bigint): number {
  return Number(BigInt.asIntN(64, n));
}
