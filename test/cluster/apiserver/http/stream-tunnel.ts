import type { IncomingMessage } from "node:http";
import { connect } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import { featureEnabled } from "../feature-gates.js";
import { ApiError } from "./api-error.js";
import type { KubeletAddress } from "./kubelet-proxy.js";
import { writeUpgradeError } from "./kubelet-proxy.js";

/** The WebSocket subprotocol prefix of a SPDY connection tunnelled in WebSocket messages. */
export const spdyTunnelPrefix = "SPDY/3.1+";
const tunnelled = ["portforward.k8s.io"];

/**
 * The stream protocol a port-forward WebSocket asks to tunnel over SPDY (kubectl 1.31+ offers
 * `SPDY/3.1+portforward.k8s.io`), when the PortForwardWebsockets gate is on; undefined otherwise,
 * and the request goes to the kubelet as it came (which refuses that subprotocol, so the client
 * falls back to SPDY).
 */
export function spdyTunnelProtocol(req: IncomingMessage): string | undefined {
  if ((req.headers.upgrade ?? "").toLowerCase() !== "websocket") return undefined;
  if (!featureEnabled("PortForwardWebsockets")) return undefined;
  const offered = (req.headers["sec-websocket-protocol"] ?? "").split(",").map((p) => p.trim());
  return offered.find(
    (p) => p.startsWith(spdyTunnelPrefix) && tunnelled.includes(p.slice(spdyTunnelPrefix.length)),
  );
}

/** Bytes up to the end of an HTTP response head, or undefined while it is incomplete. */
function responseHead(buf: Buffer): { status: number; rest: Buffer } | undefined {
  const end = buf.indexOf("\r\n\r\n");
  if (end < 0) return undefined;
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(buf.subarray(0, end).toString("latin1"))?.[1] ?? 0);
  return { status, rest: buf.subarray(end + 4) };
}

/**
 * apimachinery's streamtunnel: upgrade to SPDY/3.1 at the kubelet first; once it answered 101,
 * accept the client's WebSocket with the tunnelling subprotocol and carry the SPDY bytes both ways,
 * each chunk the kubelet sends as one binary message, each message the client sends as bytes.
 * A kubelet that refuses the upgrade has its answer passed to the client as it is.
 */
export function tunnelSpdyOverWebSocket(
  kubelet: KubeletAddress,
  path: string,
  protocol: string,
  req: IncomingMessage,
  client: Duplex,
  head: Buffer,
): void {
  const up = connect({ host: kubelet.host, port: kubelet.port, noDelay: true });
  let buffered = Buffer.alloc(0);
  const close = (): void => {
    up.destroy();
    client.destroy();
  };
  up.on("connect", () =>
    up.write(
      `POST ${path} HTTP/1.1\r\nHost: ${kubelet.host}:${kubelet.port}\r\nConnection: Upgrade\r\n` +
        `Upgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${protocol.slice(spdyTunnelPrefix.length)}\r\n\r\n`,
    ),
  );
  const onHead = (b: Buffer): void => {
    buffered = Buffer.concat([buffered, b]);
    const parsed = responseHead(buffered);
    if (!parsed) return;
    up.off("data", onHead);
    if (parsed.status !== 101) {
      // The kubelet's refusal (a Status or text) goes to the client unchanged, then both close.
      client.write(buffered);
      up.pipe(client);
      return;
    }
    up.pause();
    accept(parsed.rest);
  };
  const accept = (first: Buffer): void => {
    // "SPDY/3.1+..." is no RFC 7230 token, which ws refuses to parse: the chosen subprotocol is
    // answered here instead of negotiated by ws.
    delete req.headers["sec-websocket-protocol"];
    const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
    wss.on("headers", (headers) => headers.push(`Sec-WebSocket-Protocol: ${protocol}`));
    wss.handleUpgrade(req, client, head, (ws) => {
      if (first.length) ws.send(first);
      up.on("data", (b: Buffer) => {
        ws.send(b);
        // Back-pressure: stop reading the kubelet while the client is slow to take messages.
        if (ws.bufferedAmount > 4 * 1024 * 1024) {
          up.pause();
          const resume = (): unknown =>
            ws.bufferedAmount < 1024 * 1024 ? up.resume() : setTimeout(resume, 5);
          setTimeout(resume, 5);
        }
      });
      ws.on("message", (m: Buffer) => {
        if (!up.write(m) && !ws.isPaused) {
          ws.pause();
          up.once("drain", () => ws.resume());
        }
      });
      up.on("end", () => ws.close(1000));
      up.on("close", () => ws.terminate());
      ws.on("close", () => up.destroy());
      ws.on("error", () => up.destroy());
      up.resume();
    });
  };
  up.on("data", onHead);
  up.on("error", (err) => {
    if (up.bytesRead === 0 && !client.writableEnded)
      writeUpgradeError(client, new ApiError(500, "InternalError", `error dialing backend: ${err.message}`));
    close();
  });
  client.on("error", close);
  client.on("close", () => up.destroy());
}
