import { createServer, type Server, type Socket } from "node:net";
import {
  inboundClaimTimeoutMs,
  type InboundEvent,
  type InboundListen,
} from "../../contract/inbound-protocol.js";

interface Pending {
  socket: Socket;
  timer: NodeJS.Timeout;
}

/**
 * The proxy's listeners for inbound ports. They belong to one owner (the control stream of the
 * current session); a new owner closes the previous owner's listeners first, so at most one
 * session receives the pod's connections. Accepted connections wait, paused, to be claimed.
 */
export class InboundListeners {
  #owner: object | undefined;
  #servers: Server[] = [];
  readonly #pending = new Map<string, Pending>();
  #nextId = 1;
  /** When the last connection was accepted (ms since the epoch; 0: none yet). */
  lastAccept = 0;

  /** Listen on `ports` for `owner`, calling `announce` for each result and each connection. */
  async open(owner: object, ports: InboundListen[], announce: (event: InboundEvent) => void): Promise<void> {
    this.close(this.#owner);
    this.#owner = owner;
    for (const { port, host } of ports) {
      const server = createServer({ pauseOnConnect: true, allowHalfOpen: true }, (socket) => {
        const id = String(this.#nextId++);
        this.lastAccept = Date.now();
        socket.on("error", () => {});
        const timer = setTimeout(() => this.#drop(id), inboundClaimTimeoutMs);
        this.#pending.set(id, { socket, timer });
        announce({ event: "accept", id, port, host });
      });
      try {
        await new Promise<void>((resolve, reject) => {
          server.once("error", reject);
          server.listen({ port, host }, () => {
            server.off("error", reject);
            resolve();
          });
        });
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        announce({ event: "listen-error", port, host, code: e.code ?? "ERROR", message: e.message });
        continue;
      }
      if (this.#owner !== owner) {
        server.close();
        return;
      }
      this.#servers.push(server);
      announce({ event: "listening", port, host });
    }
  }

  /** Stop listening for `owner` and reset its unclaimed connections. */
  close(owner: object | undefined): void {
    if (owner === undefined || owner !== this.#owner) return;
    this.#owner = undefined;
    for (const server of this.#servers) server.close();
    this.#servers = [];
    for (const id of [...this.#pending.keys()]) this.#drop(id);
  }

  /** Hand over an accepted connection; undefined when unknown or already reset. */
  take(id: string): Socket | undefined {
    const pending = this.#pending.get(id);
    if (!pending) return undefined;
    clearTimeout(pending.timer);
    this.#pending.delete(id);
    return pending.socket;
  }

  #drop(id: string): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.#pending.delete(id);
    pending.socket.resetAndDestroy();
  }
}
