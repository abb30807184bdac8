import { createInterface } from "node:readline";
import { readJsonLine } from "../../contract/message.js";
import { UdpPaths, udpInboundRequest, type UdpInboundEvent } from "../../contract/udp-protocol.js";
import { respondError, type TunnelRouter } from "../../tunnel/tunnel-router.js";
import { udpFlowHandler } from "./udp-flows.js";
import { UdpInbound } from "./udp-inbound.js";

/** The proxy's UDP routes (see contract/udp-protocol.ts): outbound flows and UDP ports of the pod. */
export function addUdpRoutes(router: TunnelRouter, log: (message: string) => void): TunnelRouter {
  const inbound = new UdpInbound();
  router.on("POST", UdpPaths.flow, udpFlowHandler(log));
  router.on("POST", UdpPaths.inbound, (stream) => {
    const owner = {};
    const announce = (event: UdpInboundEvent): void => {
      if (!stream.closed && !stream.destroyed) stream.write(JSON.stringify(event) + "\n");
      if (event.event === "listen-error")
        log(`cannot listen on udp ${event.host}:${event.port}: ${event.message}`);
    };
    stream.once("close", () => inbound.close(owner));
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    lines.on("error", () => {});
    lines.once("line", (line) => {
      const read = readJsonLine(udpInboundRequest, line);
      if ("refused" in read) {
        respondError(stream, 400, `the first line must be {listen:[{port,host}],idleMs}: ${read.refused}`);
        return;
      }
      stream.respond({ ":status": 200, "content-type": "application/x-ndjson" });
      inbound.open(owner, read.message, announce).catch((err: unknown) => {
        log(`udp listeners failed: ${String(err)}`);
        stream.close();
      });
    });
  });
  router.on("POST", `${UdpPaths.inbound}/`, (stream, headers) => {
    const id = (headers[":path"] ?? "").slice(UdpPaths.inbound.length + 1);
    if (!inbound.attach(id, stream)) respondError(stream, 404, `no udp flow ${id}`);
  });
  return router;
}
