import { Duplex } from "node:stream";
import type { Agent } from "node:https";
import WebSocket from "ws";
import { TpError } from "../errors.js";
import type { Kube } from "./kube.js";

/**
 * A byte stream to `port` on 127.0.0.1 inside a pod, through the API server's port-forward
 * (WebSocket, subprotocol v4.channel.k8s.io / portforward.k8s.io). The credentials are the
 * user's kubeconfig, so exec credential plugins work. Channel 0 carries data, channel 1 errors;
 * the server starts each channel with the port number (2 bytes, little endian).
 */
export async function openPortForward(
  kube: Kube,
  namespace: string,
  pod: string,
  port: number,
): Promise<Duplex> {
  const cluster = kube.config.getCurrentCluster();
  if (!cluster) throw new TpError("config", "the kubeconfig has no current cluster");
  const url = new URL(
    `${cluster.server.replace(/\/$/, "")}/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/portforward?ports=${port}`,
  );
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  const options: WebSocket.ClientOptions & { agent?: Agent } = {};
  await kube.config.applyToHTTPSOptions(options);
  const ws = new WebSocket(url, ["v4.channel.k8s.io", "portforward.k8s.io"], {
    ...options,
    perMessageDeflate: false,
    handshakeTimeout: 10_000,
    ...(url.protocol === "wss:" ? { generateMask: unmasked } : {}),
  });
  // Listen for frames before "open": the first ones may arrive in the same read as the handshake.
  const stream = new PortForwardStream(ws, `${namespace}/${pod}:${port}`);
  // A failure is reported by the rejection below, and later by "close": an "error" event with
  // no listener yet (between here and the caller's pipe) must not end the process.
  stream.on("error", () => undefined);
  const opened = new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
    ws.once("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => {
        let message = body;
        try {
          message = (JSON.parse(body) as { message?: string }).message ?? body;
        } catch {
          /* not a Status */
        }
        reject(new TpError("tunnel", `port-forward to pod ${namespace}/${pod}:${port} failed: ${message}`));
      });
    });
  });
  try {
    await opened;
  } catch (err) {
    stream.destroy();
    throw err;
  }
  // The kubelet's error (nothing listens on the port) may come in the same read as the
  // handshake: the stream is then over before anyone could listen for it.
  if (stream.destroyed)
    throw (
      stream.errored ?? new TpError("tunnel", `port-forward to ${namespace}/${pod}:${port} closed at once`)
    );
  return stream;
}

/**
 * A zero masking key, which makes ws send each frame's payload as it is instead of copying and
 * XOR-ing every byte. Masking (RFC 6455 §5.3) keeps a browser's scripts from forging bytes that a
 * proxy on the path would read as HTTP; over TLS no proxy reads them, and the API server unmasks
 * whatever key it is given. Only used over TLS.
 */
function unmasked(mask: Buffer): void {
  mask.fill(0);
}

class PortForwardStream extends Duplex {
  private readonly seenPrefix = [false, false];

  constructor(
    private readonly ws: WebSocket,
    private readonly target: string,
  ) {
    super({ allowHalfOpen: false });
    ws.on("message", (data: Buffer, isBinary: boolean) =>
      this.onMessage(isBinary ? data : Buffer.from(data)),
    );
    ws.on("close", () => {
      this.push(null);
      this.destroy();
    });
    ws.on("error", (err) => this.destroy(err));
  }

  private onMessage(frame: Buffer): void {
    const channel = frame[0];
    let payload = frame.subarray(1);
    if (channel === 0 || channel === 1) {
      if (!this.seenPrefix[channel]) {
        this.seenPrefix[channel] = true;
        payload = payload.subarray(2);
      }
      if (channel === 0) {
        if (payload.length && !this.push(payload)) this.ws.pause();
      } else if (payload.length) {
        this.destroy(new TpError("tunnel", `port-forward to ${this.target}: ${payload.toString("utf8")}`));
      }
    }
  }

  override _read(): void {
    this.ws.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    if (this.ws.readyState !== WebSocket.OPEN) return done(new Error("port-forward closed"));
    this.ws.send(Buffer.concat([Buffer.from([0]), chunk]), { binary: true }, done);
  }

  override _final(done: (err?: Error | null) => void): void {
    this.ws.close(1000);
    done();
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING)
      this.ws.terminate();
    done(err);
  }
}
