import type { Socket } from "node:net";
import type { WebSocket } from "ws";
import { frame } from "./ws-protocol.js";

/** The message a failed forward writes to the client's error stream (as the kubelet words it). */
export function forwardError(port: number, podDesc: string, e: Error): string {
  return `error forwarding port ${port} to pod ${podDesc}: ${e.message}`;
}

/**
 * The kubelet's WebSocket port-forward (portforward.k8s.io / v4.channel.k8s.io): for port i,
 * channel 2i carries data and 2i+1 errors; the first frame on each carries the port as two
 * little-endian bytes. The connection to each port is made at once; the WebSocket closes when
 * every port's connection ended.
 */
export function servePortForward(
  ws: WebSocket,
  ports: number[],
  dial: (port: number) => Promise<Socket>,
  podDesc: string,
): void {
  const send = (ch: number, data: Buffer | string) => {
    if (ws.readyState === ws.OPEN) ws.send(frame(ch, data));
  };
  const sockets: (Socket | undefined)[] = [];
  const pending: Buffer[][] = ports.map(() => []);
  let open = ports.length;
  const doneOne = () => {
    open--;
    if (open === 0 && ws.readyState === ws.OPEN) ws.close(1000);
  };
  ports.forEach((port, i) => {
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16LE(port);
    send(2 * i, prefix);
    send(2 * i + 1, prefix);
    dial(port).then(
      (s) => {
        if (ws.readyState !== ws.OPEN) {
          s.destroy();
          return;
        }
        sockets[i] = s;
        for (const b of pending[i] ?? []) s.write(b);
        pending[i] = [];
        s.on("data", (d: Buffer) => {
          send(2 * i, d);
          // Back-pressure: pause the pod side while the WebSocket buffers a lot.
          if (ws.bufferedAmount > 4 * 1024 * 1024) {
            s.pause();
            const resume = () => (ws.bufferedAmount < 1024 * 1024 ? s.resume() : setTimeout(resume, 10));
            setTimeout(resume, 10);
          }
        });
        s.on("end", () => {
          s.end();
          doneOne();
        });
        s.on("error", (e) => {
          send(2 * i + 1, forwardError(port, podDesc, e));
        });
      },
      (e: Error) => {
        send(2 * i + 1, forwardError(port, podDesc, e));
        doneOne();
      },
    );
  });
  ws.on("message", (raw: Buffer) => {
    const data = Buffer.isBuffer(raw) ? raw : Buffer.from(raw as ArrayBuffer);
    if (data.length < 1) return;
    const ch = data[0] ?? 0;
    if (ch % 2 !== 0) return;
    const i = ch / 2;
    const body = data.subarray(1);
    if (!body.length) return;
    const s = sockets[i];
    if (s) s.write(body);
    else pending[i]?.push(Buffer.from(body));
  });
  ws.on("close", () => {
    for (const s of sockets) s?.destroy();
  });
  ws.resume();
}
