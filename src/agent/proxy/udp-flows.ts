import { createSocket, type Socket } from "node:dgram";
import type { ServerHttp2Stream } from "node:http2";
import { isIP } from "node:net";
import { lookup } from "node:dns/promises";
import { udpTargetHeader } from "../../contract/udp-protocol.js";
import { parseAuthority } from "../../tunnel/connect-handler.js";
import { readDatagrams, writeDatagram } from "../../tunnel/datagrams.js";
import { respondError, type StreamHandler } from "../../tunnel/tunnel-router.js";

/**
 * `POST /udp`: a flow from the local side. A UDP socket connected to the target (so only the
 * target's replies come back), its datagrams framed onto the stream and the stream's onto it, until
 * either side ends. ICMP errors (a closed port) do not end the flow, as they would not for the
 * sending program.
 */
export function udpFlowHandler(log: (message: string) => void): StreamHandler {
  return async (stream: ServerHttp2Stream, headers) => {
    const target = parseAuthority(String(headers[udpTargetHeader] ?? ""));
    if (!target) {
      respondError(stream, 400, `${udpTargetHeader} must be host:port`);
      return;
    }
    let address = target.host;
    if (isIP(address) === 0) {
      try {
        address = (await lookup(address)).address;
      } catch {
        respondError(stream, 502, `cannot resolve ${target.host}`);
        return;
      }
    }
    const socket = createSocket(isIP(address) === 6 ? "udp6" : "udp4");
    const close = () => {
      try {
        socket.close();
      } catch {
        // Already closed.
      }
    };
    socket.on("error", (err) => {
      // Connected UDP sockets report ICMP errors of earlier sends; the flow goes on.
      if ((err as NodeJS.ErrnoException).code !== "ECONNREFUSED")
        log(`udp ${target.host}:${target.port}: ${err.message}`);
    });
    try {
      await connectSocket(socket, target.port, address);
    } catch (err) {
      close();
      respondError(stream, 502, `udp ${target.host}:${target.port}: ${(err as Error).message}`);
      return;
    }
    if (stream.destroyed) {
      close();
      return;
    }
    stream.respond({ ":status": 200 });
    socket.on("message", (payload) => writeDatagram(stream, payload));
    readDatagrams(stream, (payload) => socket.send(payload));
    stream.once("close", close);
    stream.once("end", () => stream.close());
  };
}

function connectSocket(socket: Socket, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.connect(port, address, () => {
      socket.off("error", reject);
      resolve();
    });
  });
}
