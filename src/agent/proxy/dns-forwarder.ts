import { createSocket } from "node:dgram";
import { isIPv6 } from "node:net";
import { connect } from "node:net";

const udpTimeoutMs = 2_000;
const tcpTimeoutMs = 4_000;

/** Whether a DNS message has the TC (truncated) flag. */
export function isTruncated(message: Buffer): boolean {
  return message.length >= 3 && ((message[2] ?? 0) & 0x02) !== 0;
}

/**
 * Send one DNS wire message to the pod's nameservers, in order, the way the pod's own resolver
 * would: UDP first, TCP when the answer is truncated. Resolves with the first answer.
 */
export async function forwardDnsQuery(query: Buffer, nameservers: string[]): Promise<Buffer> {
  let lastError: unknown = new Error("no nameserver in /etc/resolv.conf");
  for (const server of nameservers) {
    try {
      const answer = await queryUdp(query, server);
      return isTruncated(answer) ? await queryTcp(query, server) : answer;
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

function queryUdp(query: Buffer, server: string, port = 53): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(isIPv6(server) ? "udp6" : "udp4");
    const done = (err: Error | undefined, answer?: Buffer): void => {
      clearTimeout(timer);
      socket.close();
      if (err) reject(err);
      else resolve(answer as Buffer);
    };
    const timer = setTimeout(() => done(new Error(`no UDP answer from ${server}`)), udpTimeoutMs);
    socket.on("error", (err) => done(err));
    socket.on("message", (msg) => {
      if (msg.length >= 2 && msg.readUInt16BE(0) === query.readUInt16BE(0)) done(undefined, msg);
    });
    socket.send(query, port, server);
  });
}

function queryTcp(query: Buffer, server: string, port = 53): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: server, port });
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => socket.destroy(new Error(`no TCP answer from ${server}`)), tcpTimeoutMs);
    socket.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on("data", (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        clearTimeout(timer);
        socket.destroy();
        resolve(buf.subarray(2, 2 + buf.readUInt16BE(0)));
      }
    });
    socket.on("close", () => {
      clearTimeout(timer);
      reject(new Error(`TCP connection to ${server} closed without an answer`));
    });
    const length = Buffer.alloc(2);
    length.writeUInt16BE(query.length);
    socket.write(Buffer.concat([length, query]));
  });
}
