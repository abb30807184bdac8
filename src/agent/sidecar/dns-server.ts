import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { createServer, type Socket } from "node:net";
import type { TunnelClient } from "../../tunnel/tunnel-client.js";
import { Paths } from "../../contract/tunnel-protocol.js";
import { maxUdpAnswer, servfail, truncated } from "./dns-message.js";

/** Total time a query may take through the tunnel (waiting for a session included). */
const answerTimeoutMs = 5_000;

/** Ask the cluster's resolver through the tunnel; SERVFAIL when that cannot be done in time. */
export async function resolveThroughTunnel(tunnel: TunnelClient, query: Buffer): Promise<Buffer | undefined> {
  const started = Date.now();
  try {
    const session = await tunnel.session(3_000);
    return await tunnel.exchange("POST", Paths.dns, query, {
      session,
      contentType: "application/dns-message",
      timeoutMs: Math.max(500, answerTimeoutMs - (Date.now() - started)),
    });
  } catch {
    return servfail(query);
  }
}

export interface StartedDnsServer {
  close(): void;
}

/**
 * The namespace's resolver on host:port, UDP and TCP: every message goes as is to the cluster's
 * resolver through the tunnel, so every record type and every name works as in the pod.
 */
export async function startDnsServer(
  tunnel: TunnelClient,
  host = "127.0.0.1",
  port = 53,
): Promise<StartedDnsServer> {
  const udp = createSocket("udp4");
  udp.on("message", (query, peer) => {
    void resolveThroughTunnel(tunnel, query).then((answer) => {
      if (!answer) return;
      const reply = answer.length > maxUdpAnswer(query) ? truncated(query) : answer;
      if (reply) udp.send(reply, peer.port, peer.address);
    });
  });
  await bindUdp(udp, host, port);
  const tcp = createServer((socket) => serveTcp(tunnel, socket));
  await new Promise<void>((resolve, reject) => {
    tcp.once("error", reject);
    tcp.listen({ host, port }, resolve);
  });
  return {
    close: () => {
      udp.close();
      tcp.close();
    },
  };
}

function bindUdp(udp: UdpSocket, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    udp.once("error", reject);
    udp.bind(port, host, () => {
      udp.off("error", reject);
      udp.on("error", () => {});
      resolve();
    });
  });
}

/** DNS over TCP: 2-byte length-prefixed messages, possibly several (pipelined) per connection. */
function serveTcp(tunnel: TunnelClient, socket: Socket): void {
  let buf = Buffer.alloc(0);
  socket.on("error", () => {});
  socket.setTimeout(30_000, () => socket.destroy());
  socket.on("data", (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
      const query = buf.subarray(2, 2 + buf.readUInt16BE(0));
      buf = buf.subarray(2 + query.length);
      void resolveThroughTunnel(tunnel, Buffer.from(query)).then((answer) => {
        if (!answer || socket.destroyed) return;
        const length = Buffer.alloc(2);
        length.writeUInt16BE(answer.length);
        socket.write(Buffer.concat([length, answer]));
      });
    }
  });
}
