import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import type { ServerHttp2Stream } from "node:http2";
import { inboundClaimTimeoutMs } from "../../contract/inbound-protocol.js";
import {
  defaultUdpIdleMs,
  type UdpInboundEvent,
  type UdpInboundRequest,
} from "../../contract/udp-protocol.js";
import { readDatagrams, writeDatagram } from "../../tunnel/datagrams.js";

/** Datagrams a new flow keeps while the sidecar opens its stream; later ones are dropped, as UDP may. */
const queueLimit = 256;

interface Flow {
  id: string;
  key: string;
  socket: Socket;
  peer: RemoteInfo;
  queue: Buffer[];
  stream?: ServerHttp2Stream;
  lastUsed: number;
  claimTimer?: NodeJS.Timeout;
}

/**
 * The proxy's UDP ports (`--expose PORT/udp`), owned like the TCP listeners by one control stream
 * at a time. Each new sender is a flow, announced to the sidecar and carried on a stream of its
 * own; the local side's replies leave from the pod's port to the sender.
 */
export class UdpInbound {
  #owner: object | undefined;
  #sockets: Socket[] = [];
  readonly #flows = new Map<string, Flow>();
  readonly #byKey = new Map<string, Flow>();
  #nextId = 1;
  #sweeper: NodeJS.Timeout | undefined;

  async open(
    owner: object,
    request: UdpInboundRequest,
    announce: (e: UdpInboundEvent) => void,
  ): Promise<void> {
    this.close(this.#owner);
    this.#owner = owner;
    const idleMs = request.idleMs ?? defaultUdpIdleMs;
    this.#sweeper = setInterval(() => this.#sweep(idleMs), Math.max(250, Math.floor(idleMs / 4)));
    this.#sweeper.unref();
    for (const { port, host } of request.listen) {
      const socket = createSocket({ type: "udp4", reuseAddr: false });
      socket.on("message", (payload, peer) => this.#receive(socket, port, host, payload, peer, announce));
      try {
        await new Promise<void>((resolve, reject) => {
          socket.once("error", reject);
          socket.bind(port, host, () => {
            socket.off("error", reject);
            resolve();
          });
        });
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        announce({
          event: "listen-error",
          port,
          host,
          protocol: "udp",
          code: e.code ?? "ERROR",
          message: e.message,
        });
        continue;
      }
      socket.on("error", () => {});
      if (this.#owner !== owner) {
        socket.close();
        return;
      }
      this.#sockets.push(socket);
      announce({ event: "listening", port, host, protocol: "udp" });
    }
  }

  /** Stop listening for `owner` and end its flows. */
  close(owner: object | undefined): void {
    if (owner === undefined || owner !== this.#owner) return;
    this.#owner = undefined;
    clearInterval(this.#sweeper);
    for (const socket of this.#sockets) socket.close();
    this.#sockets = [];
    for (const flow of [...this.#flows.values()]) this.#end(flow);
  }

  /** Carry flow `id` on `stream`; false when the flow is unknown or gone. */
  attach(id: string, stream: ServerHttp2Stream): boolean {
    const flow = this.#flows.get(id);
    if (!flow || flow.stream) return false;
    clearTimeout(flow.claimTimer);
    flow.stream = stream;
    stream.respond({ ":status": 200 });
    for (const payload of flow.queue) writeDatagram(stream, payload);
    flow.queue = [];
    readDatagrams(stream, (payload) => {
      flow.lastUsed = Date.now();
      flow.socket.send(payload, flow.peer.port, flow.peer.address);
    });
    stream.once("close", () => this.#end(flow));
    stream.once("end", () => stream.close());
    return true;
  }

  #receive(
    socket: Socket,
    port: number,
    host: string,
    payload: Buffer,
    peer: RemoteInfo,
    announce: (e: UdpInboundEvent) => void,
  ): void {
    const key = `${host}:${port}|${peer.address}:${peer.port}`;
    let flow = this.#byKey.get(key);
    if (!flow) {
      const id = `u${this.#nextId++}`;
      flow = { id, key, socket, peer, queue: [], lastUsed: Date.now() };
      const created = flow;
      flow.claimTimer = setTimeout(() => this.#end(created), inboundClaimTimeoutMs);
      this.#flows.set(id, flow);
      this.#byKey.set(key, flow);
      announce({ event: "flow", id, port, host });
    }
    flow.lastUsed = Date.now();
    if (flow.stream) writeDatagram(flow.stream, payload);
    else if (flow.queue.length < queueLimit) flow.queue.push(Buffer.from(payload));
  }

  #sweep(idleMs: number): void {
    const now = Date.now();
    for (const flow of [...this.#flows.values()]) if (now - flow.lastUsed > idleMs) this.#end(flow);
  }

  #end(flow: Flow): void {
    if (this.#flows.get(flow.id) !== flow) return;
    clearTimeout(flow.claimTimer);
    this.#flows.delete(flow.id);
    this.#byKey.delete(flow.key);
    if (flow.stream && !flow.stream.destroyed) flow.stream.close();
  }
}
