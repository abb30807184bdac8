import type { ClientHttp2Session } from "node:http2";
import { connect } from "node:net";
import { onLines } from "../../line-splitter.js";
import { bridge } from "../../tunnel/bridge.js";
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
 * announces, connect to 127.0.0.1:localPort here and join the two through a new stream.
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
    const socket = connect({ host: "127.0.0.1", port: route.localPort, allowHalfOpen: true });
    socket.setNoDelay(true);
    socket.once("error", (err) => log(`inbound connection to 127.0.0.1:${route.localPort}: ${err.message}`));
    bridge(socket, stream);
  });
}
