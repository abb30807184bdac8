import { createSocket, type Socket } from "node:dgram";
import { createServer, type Server } from "node:net";
import dnsPacket, { type Answer, type Packet } from "dns-packet";
import { clusterDomain } from "./pod-files.js";
import { resolve, type DnsSource } from "./dns-records.js";

const rcodes = { NOERROR: 0, NXDOMAIN: 3, REFUSED: 5, FORMERR: 1 } as const;

function soa(): Answer {
  return {
    name: clusterDomain,
    type: "SOA",
    ttl: 30,
    class: "IN",
    data: {
      mname: `ns.dns.${clusterDomain}`,
      rname: `hostmaster.${clusterDomain}`,
      serial: Math.floor(Date.now() / 1000),
      refresh: 7200,
      retry: 1800,
      expire: 86400,
      minimum: 30,
    },
  };
}

/** Answers one DNS message; `maxSize` (UDP) sets the TC bit and drops answers that do not fit. */
export function answer(src: DnsSource, msg: Buffer, maxSize?: number): Buffer {
  let q: Packet;
  try {
    q = dnsPacket.decode(msg);
  } catch {
    return Buffer.alloc(0);
  }
  const question = q.questions?.[0];
  const rd = (q.flags ?? 0) & dnsPacket.RECURSION_DESIRED;
  let rcode: number = rcodes.NOERROR;
  let answers: Answer[] = [];
  let authorities: Answer[] = [];
  if (!question) rcode = rcodes.FORMERR;
  else {
    const r = resolve(src, question.name, question.type);
    rcode = rcodes[r.rcode];
    answers = r.answers;
    if (!answers.length) authorities = [soa()];
  }
  const packet = (withAnswers: boolean, extraFlags = 0): Buffer =>
    dnsPacket.encode({
      type: "response",
      id: q.id,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | rd | dnsPacket.RECURSION_AVAILABLE | rcode | extraFlags,
      questions: q.questions,
      answers: withAnswers ? answers : [],
      authorities: withAnswers ? authorities : [],
    });
  let out = packet(true);
  const opt = q.additionals?.find((x) => x.type === "OPT") as { udpPayloadSize?: number } | undefined;
  const limit = maxSize === undefined ? Infinity : Math.max(maxSize, opt?.udpPayloadSize ?? 512);
  if (out.length > limit) out = packet(false, dnsPacket.TRUNCATED_RESPONSE);
  return out;
}

/** Cluster DNS on UDP and TCP port 53 of one address. */
export class DnsServer {
  private udp: Socket | undefined;
  private tcp: Server | undefined;

  constructor(private readonly src: DnsSource) {}

  async listen(host: string, port = 53): Promise<void> {
    const udp = createSocket("udp4");
    udp.on("message", (msg, rinfo) => {
      const out = answer(this.src, msg, 512);
      if (out.length) udp.send(out, rinfo.port, rinfo.address);
    });
    await new Promise<void>((res, rej) => {
      udp.once("error", rej);
      udp.bind(port, host, () => res());
    });
    this.udp = udp;
    const tcp = createServer((c) => {
      let buf = Buffer.alloc(0);
      c.on("data", (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        while (buf.length >= 2) {
          const len = buf.readUInt16BE(0);
          if (buf.length < 2 + len) break;
          const out = answer(this.src, buf.subarray(2, 2 + len));
          buf = buf.subarray(2 + len);
          const head = Buffer.alloc(2);
          head.writeUInt16BE(out.length);
          c.write(Buffer.concat([head, out]));
        }
      });
      c.on("error", () => c.destroy());
    });
    await new Promise<void>((res, rej) => {
      tcp.once("error", rej);
      tcp.listen(port, host, () => res());
    });
    this.tcp = tcp;
  }

  close(): void {
    this.udp?.close();
    this.tcp?.close();
  }
}
