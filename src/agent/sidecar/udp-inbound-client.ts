import { createSocket } from "node:dgram";
import type { ClientHttp2Session } from "node:http2";
import { createInterface } from "node:readline";
import { readJsonLine } from "../../contract/message.js";
import { UdpPaths, udpInboundEvent, type UdpInboundEvent } from "../../contract/udp-protocol.js";
import { readDatagrams, writeDatagram } from "../../tunnel/datagrams.js";
import type { InboundRoute } from "./inbound-client.js";

/**
 * For one session: ask the proxy to listen on the routes' UDP ports, and for each flow it announces
 * (a new sender in the cluster), send its datagrams from a socket of their own to
 * 127.0.0.1:localPort here, and the replies back through the flow's stream.
 */
export function startUdpInbound(
  session: ClientHttp2Session,
  routes: InboundRoute[],
  idleMs: number,
  onEvent: (event: Exclude<UdpInboundEvent, { event: "flow" }>) => void,
  log: (message: string) => void,
): void {
  if (routes.length === 0 || session.destroyed) return;
  const control = session.request({ ":method": "POST", ":path": UdpPaths.inbound });
  control.on("error", () => {});
  control.write(JSON.stringify({ listen: routes.map(({ port, host }) => ({ port, host })), idleMs }) + "\n");
  const lines = createInterface({ input: control, crlfDelay: Infinity });
  lines.on("error", () => {});
  lines.on("line", (line) => {
    const read = readJsonLine(udpInboundEvent, line);
    if ("refused" in read) {
      log(`inbound udp: skipped a line of the proxy that is not an event (${read.refused})`);
      return;
    }
    const event = read.message;
    if (event.event !== "flow") {
      onEvent(event);
      return;
    }
    const route = routes.find((r) => r.port === event.port && r.host === event.host);
    const stream = session.request({ ":method": "POST", ":path": `${UdpPaths.inbound}/${event.id}` });
    stream.on("error", () => {});
    if (!route) {
      stream.close();
      return;
    }
    const socket = createSocket("udp4");
    socket.on("error", (err) => {
      if ((err as NodeJS.ErrnoException).code !== "ECONNREFUSED")
        log(`inbound udp to 127.0.0.1:${route.localPort}: ${err.message}`);
    });
    socket.connect(route.localPort, "127.0.0.1", () => {
      readDatagrams(stream, (payload) => socket.send(payload));
    });
    socket.on("message", (payload) => writeDatagram(stream, payload));
    stream.once("close", () => {
      try {
        socket.close();
      } catch {
        // Already closed.
      }
    });
    stream.once("end", () => stream.close());
  });
}
