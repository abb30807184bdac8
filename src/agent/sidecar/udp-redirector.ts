import { spawn } from "node:child_process";
import type { ClientHttp2Stream } from "node:http2";
import { UdpPaths, udpTargetHeader } from "../../contract/udp-protocol.js";
import { readDatagrams, writeDatagram } from "../../tunnel/datagrams.js";
import type { TunnelClient } from "../../tunnel/tunnel-client.js";
import { authority } from "./tcp-redirector.js";

/** tp-udp's frame header: u16 length, then two IPv4 address/port pairs (see src/agent/native/tp-udp.c). */
const header = 14;
/** Datagrams a flow keeps while its stream opens; later ones are dropped, as UDP may. */
const queueLimit = 256;
const openTimeoutMs = 10_000;

interface Flow {
  key: string;
  /** tp-udp's 12 address bytes for replies: from the original destination, to the program. */
  replyAddresses: Buffer;
  stream?: ClientHttp2Stream;
  queue: Buffer[];
  lastUsed: number;
}

export interface UdpRedirector {
  close(): void;
}

/**
 * The sidecar's UDP flows: tp-udp hands over each diverted datagram with its source and original
 * destination; each (source, destination) pair is a flow carried by one tunnel stream, which the
 * proxy sends from a socket connected to the destination. Replies go back through tp-udp, sent
 * from the destination's address. Flows end after `idleMs` without a datagram either way.
 */
export function startUdpRedirector(
  tunnel: TunnelClient,
  port: number,
  idleMs: number,
  log: (message: string) => void,
  binary = "tp-udp",
): UdpRedirector {
  const child = spawn(binary, ["127.0.0.1", String(port)], { stdio: ["pipe", "pipe", "inherit"] });
  const flows = new Map<string, Flow>();
  let closed = false;
  child.on("error", (err) => log(`tp-udp: ${err.message}`));
  child.on("exit", (code, signal) => {
    if (!closed) log(`tp-udp ended (${signal ?? `exit code ${code}`}): UDP is no longer proxied`);
  });
  child.stdin.on("error", () => {});

  const reply = (flow: Flow, payload: Buffer): void => {
    flow.lastUsed = Date.now();
    const head = Buffer.allocUnsafe(2);
    head.writeUInt16BE(payload.length, 0);
    child.stdin.write(Buffer.concat([head, flow.replyAddresses, payload]));
  };

  const end = (flow: Flow): void => {
    if (flows.get(flow.key) !== flow) return;
    flows.delete(flow.key);
    if (flow.stream && !flow.stream.destroyed) flow.stream.close();
  };

  const open = (flow: Flow, target: string): void => {
    tunnel
      .open(
        { ":method": "POST", ":path": UdpPaths.flow, [udpTargetHeader]: target },
        { timeoutMs: openTimeoutMs },
      )
      .then((stream) => {
        if (flows.get(flow.key) !== flow) {
          stream.close();
          return;
        }
        flow.stream = stream;
        for (const payload of flow.queue) writeDatagram(stream, payload);
        flow.queue = [];
        readDatagrams(stream, (payload) => reply(flow, payload));
        stream.once("close", () => end(flow));
        stream.once("end", () => stream.close());
      })
      .catch((err: unknown) => {
        log(`udp flow to ${target} failed: ${err instanceof Error ? err.message : String(err)}`);
        end(flow);
      });
  };

  const receive = (frame: Buffer): void => {
    const addresses = frame.subarray(2, header);
    const payload = frame.subarray(header);
    const key = addresses.toString("hex");
    let flow = flows.get(key);
    if (!flow) {
      const replyAddresses = Buffer.concat([addresses.subarray(6, 12), addresses.subarray(0, 6)]);
      flow = { key, replyAddresses, queue: [], lastUsed: Date.now() };
      flows.set(key, flow);
      open(flow, authority(ipv4(addresses, 6), addresses.readUInt16BE(10)));
    }
    flow.lastUsed = Date.now();
    if (flow.stream) writeDatagram(flow.stream, payload);
    else if (flow.queue.length < queueLimit) flow.queue.push(Buffer.from(payload));
  };

  let pending = Buffer.alloc(0);
  child.stdout.on("data", (chunk: Buffer) => {
    let buf = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (buf.length >= header && buf.length >= header + buf.readUInt16BE(0)) {
      const length = header + buf.readUInt16BE(0);
      receive(buf.subarray(0, length));
      buf = buf.subarray(length);
    }
    pending = Buffer.from(buf);
  });

  const sweeper = setInterval(
    () => {
      const now = Date.now();
      for (const flow of [...flows.values()]) if (now - flow.lastUsed > idleMs) end(flow);
    },
    Math.max(250, Math.floor(idleMs / 4)),
  );
  sweeper.unref();

  return {
    close: () => {
      closed = true;
      clearInterval(sweeper);
      for (const flow of [...flows.values()]) end(flow);
      child.kill();
    },
  };
}

function ipv4(bytes: Buffer, offset: number): string {
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
}
