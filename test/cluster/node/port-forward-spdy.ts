import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { header } from "./spdy/header-block.js";
import { SpdySession } from "./spdy/session.js";
import type { SpdyStream } from "./spdy/stream.js";
import { forwardError } from "./port-forward.js";

export const spdyPortForwardProtocols = ["portforward.k8s.io"];

/** How long the second stream of a connection's pair may take (the kubelet's stream creation timeout). */
const pairTimeoutMs = 30_000;

/** Whether a request asks to upgrade to SPDY/3.1 (httpstream/spdy's upgrader). */
export function isSpdyUpgrade(req: IncomingMessage): boolean {
  return (req.headers.upgrade ?? "").toLowerCase() === "spdy/3.1";
}

/**
 * httpstream.Handshake and the SPDY upgrade: the first of the server's protocols that the client
 * offers in X-Stream-Protocol-Version, then 101 with `Upgrade: SPDY/3.1`. Undefined (the connection
 * answered with 403) when no protocol fits.
 */
export function upgradeToSpdy(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  supported: string[],
): SpdySession | undefined {
  const offered = req.headersDistinct["x-stream-protocol-version"]?.flatMap((v) => v.split(",")) ?? [];
  const clientProtocols = offered.map((p) => p.trim()).filter(Boolean);
  const chosen = clientProtocols.length ? supported.find((p) => clientProtocols.includes(p)) : "";
  if (chosen === undefined) {
    const body = `unable to upgrade: unable to negotiate protocol: client supports [${clientProtocols.join(" ")}], server supports [${supported.join(" ")}]`;
    socket.end(
      `HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\n` +
        `X-Accepted-Stream-Protocol-Versions: ${supported.join(", ")}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
    return undefined;
  }
  socket.write(
    "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n" +
      (chosen ? `X-Stream-Protocol-Version: ${chosen}\r\n` : "") +
      "\r\n",
  );
  (socket as Socket).setNoDelay?.(true);
  const session = new SpdySession(socket, { server: true });
  if (head.length) socket.unshift(head);
  return session;
}

interface Pair {
  data?: SpdyStream;
  error?: SpdyStream;
  timer: NodeJS.Timeout;
}

/**
 * The kubelet's SPDY port-forward (pkg/kubelet/cri/streaming/portforward/httpstream.go): each
 * connection the client forwards is a pair of streams with one requestID, `streamType: error` and
 * `streamType: data`, whose `port` header names the pod's port. Each stream is answered at once;
 * once both are there the port is dialled, the data stream carries the bytes (FIN half-closes),
 * and a failure is written to the error stream, which is closed when the forward ends.
 */
export function serveSpdyPortForward(
  session: SpdySession,
  dial: (port: number) => Promise<Socket>,
  podDesc: string,
): void {
  const pairs = new Map<string, Pair>();
  session.on("stream", (s: SpdyStream) => {
    const type = header(s.headers, "streamType");
    if (type !== "data" && type !== "error") {
      s.reset();
      return;
    }
    s.reply();
    const id = header(s.headers, "requestID");
    let pair = pairs.get(id);
    if (!pair) {
      pair = {
        timer: setTimeout(() => {
          pairs.delete(id);
          const err = pair?.error;
          if (err && !err.destroyed) err.end(`(request=${id}) timed out waiting for streams`);
          pair?.data?.reset();
        }, pairTimeoutMs),
      };
      pairs.set(id, pair);
    }
    if (pair[type]) {
      s.reset();
      return;
    }
    pair[type] = s;
    const { data, error } = pair;
    if (data && error) {
      clearTimeout(pair.timer);
      pairs.delete(id);
      forward(data, error, dial, podDesc);
    }
  });
  session.on("close", () => {
    for (const p of pairs.values()) clearTimeout(p.timer);
    pairs.clear();
  });
}

function forward(
  data: SpdyStream,
  error: SpdyStream,
  dial: (port: number) => Promise<Socket>,
  podDesc: string,
): void {
  // The client closes its side of the error stream at once; what it sends there is ignored.
  error.resume();
  const portText = header(data.headers, "port");
  const port = Number(portText);
  const finish = (message?: string) => {
    if (error.destroyed || error.writableEnded) return;
    if (message) error.end(message);
    else error.end();
  };
  if (!(Number.isInteger(port) && port > 0 && port < 65536)) {
    finish(forwardError(port, podDesc, new Error(`invalid port ${JSON.stringify(portText)}`)));
    data.end();
    return;
  }
  dial(port).then(
    (sock) => {
      if (data.destroyed) {
        sock.destroy();
        finish();
        return;
      }
      sock.setNoDelay(true);
      data.pipe(sock);
      sock.pipe(data);
      sock.on("error", (e) => {
        if (!data.destroyed) finish(forwardError(port, podDesc, e));
        data.destroy();
      });
      // The client resets the data stream once it has read all it wants: the pod side goes too.
      data.on("close", () => {
        sock.destroy();
        finish();
      });
      sock.on("close", () => {
        if (!data.writableEnded && !data.destroyed) data.end();
        finish();
      });
    },
    (e: Error) => {
      finish(forwardError(port, podDesc, e));
      data.end();
    },
  );
}
