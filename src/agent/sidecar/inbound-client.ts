import type { ClientHttp2Session } from "node:http2";
import { constants } from "node:http2";
import { onLines } from "../../line-splitter.js";
import { bridge } from "../../tunnel/bridge.js";
import { dial } from "../../tunnel/dial.js";
import { inboundEvent, type InboundEvent, type InboundListen } from "../../contract/inbound-protocol.js";
import { readJsonLine } from "../../contract/message.js";
import { Paths } from "../../contract/tunnel-protocol.js";

/** A port in the pod and where its connections go locally. */
export interface InboundRoute extends InboundListen {
  localPort: number;
}

/**
 * For one session: open the control stream asking the proxy to listen on the routes' ports (the
 * request line goes first: the proxy answers after reading it), and for each connection it
 * announces, connect to localhost:localPort here (127.0.0.1, else ::1) and join the two through a new stream.
 */
export function startInbound(
  session: ClientHttp2Session,
  routes: InboundRoute[],
  onEvent: (event: Exclude<InboundEvent, { event: "accept" }>) => void,
  log: (message: string) => void,
): void {
  if (routes.length === 0 || session.destroyed) return;
  const control = session.request({ ":method": "POST", ":path": Paths.inbound });
  control.on("error", () => {});
  control.write(JSON.stringify({ listen: routes.map(({ port, host }) => ({ port, host })) }) + "\n");
  onLines(control, 64 * 1024, (line) => {
    const read = readJsonLine(inboundEvent, line);
    if ("refused" in read) {
      log(`inbound: skipped a line of the proxy that is not an event (${read.refused})`);
      return;
    }
    const event = read.message;
    if (event.event !== "accept") {
      onEvent(event);
      return;
    }
    const route = routes.find((r) => r.port === event.port && r.host === event.host);
    const stream = session.request({ ":method": "POST", ":path": `${Paths.inbound}/${event.id}` });
    stream.on("error", () => {});
    if (!route) {
      stream.close();
      return;
    }
    // The proxy holds the pod-side connection until the stream answers: refused here, it is reset.
    const cancel = dial("127.0.0.1", route.localPort, (err, socket) => {
      stream.off("close", cancel);
      if (err || !socket) {
        log(`inbound connection to localhost:${route.localPort}: ${err?.message}`);
        stream.close(constants.NGHTTP2_CANCEL);
        return;
      }
      bridge(socket, stream);
    });
    stream.once("close", cancel);
  });
}
