import dnsPacket from "dns-packet";

const headerLength = 12;

/** Length of the header plus the first question, or the header alone when it cannot be read. */
function questionEnd(query: Buffer): number {
  if (query.length < headerLength || query.readUInt16BE(4) < 1) return headerLength;
  let i = headerLength;
  while (i < query.length) {
    const len = query[i] ?? 0;
    if (len === 0) return i + 1 + 4 <= query.length ? i + 1 + 4 : headerLength;
    if ((len & 0xc0) !== 0) return headerLength;
    i += len + 1;
  }
  return headerLength;
}

/** An answer to `query` with no records: its id and question, QR and RA set, and `flags` added. */
function emptyAnswer(query: Buffer, extraFlags: number): Buffer | undefined {
  if (query.length < headerLength) return undefined;
  const end = questionEnd(query);
  const answer = Buffer.from(query.subarray(0, end));
  const flags = (query.readUInt16BE(2) & 0x7910) | 0x8080 | extraFlags; // keep opcode and RD
  answer.writeUInt16BE(flags, 2);
  answer.writeUInt16BE(end > headerLength ? 1 : 0, 4);
  answer.writeUInt32BE(0, 6);
  answer.writeUInt16BE(0, 10);
  return answer;
}

/** SERVFAIL for a query (no tunnel, no answer from the cluster). */
export function servfail(query: Buffer): Buffer | undefined {
  return emptyAnswer(query, 2);
}

/** The TC answer that sends a UDP client to TCP when the real answer is too big. */
export function truncated(query: Buffer): Buffer | undefined {
  return emptyAnswer(query, 0x0200);
}

/** The largest UDP answer the client accepts: its EDNS payload size, else 512. */
export function maxUdpAnswer(query: Buffer): number {
  try {
    const packet = dnsPacket.decode(query);
    const opt = packet.additionals?.find((a) => a.type === "OPT") as { udpPayloadSize?: number } | undefined;
    return Math.max(512, Math.min(opt?.udpPayloadSize ?? 512, 65_535));
  } catch {
    return 512;
  }
}
