import type { Socket } from "node:net";

export type Protocol = "http1" | "h2c" | "raw";

/** The client connection preface of HTTP/2 (prior knowledge, RFC 9113 3.4). */
const h2Preface = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
/** An HTTP/1.x request line is read in full before it is judged; longer is not HTTP to the router. */
const maxRequestLine = 8192;
const requestLine = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+ [^\s]+ HTTP\/1\.[0-9]\r?$/;
const methodSoFar = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}( [^\s]*( H(T(T(P(\/(1(\.[0-9]?)?)?)?)?)?)?)?)?$/;

/** What the bytes so far say, or undefined when more are needed to tell. */
export function classify(bytes: Buffer): Protocol | undefined {
  const n = Math.min(bytes.length, h2Preface.length);
  if (bytes.subarray(0, n).equals(h2Preface.subarray(0, n)))
    return bytes.length >= h2Preface.length ? "h2c" : undefined;
  const end = bytes.indexOf(10);
  if (end >= 0) return requestLine.test(bytes.subarray(0, end).toString("latin1")) ? "http1" : "raw";
  if (bytes.length > maxRequestLine) return "raw";
  return methodSoFar.test(bytes.toString("latin1")) ? undefined : "raw";
}

export interface Sniffed {
  protocol: Protocol;
  /** The bytes read, to replay. */
  head: Buffer;
  /** The client closed its side already (it sent `head` and nothing more). */
  ended: boolean;
}

/**
 * Read a connection's first bytes to tell its protocol; a client that sends nothing within
 * `timeoutMs` (a server-speaks-first protocol) or closes is raw. The bytes read are handed back
 * (to replay them), the socket is left paused with no data listener.
 */
export function sniff(socket: Socket, timeoutMs: number): Promise<Sniffed> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let length = 0;
    let ended = false;
    const done = (protocol: Protocol) => {
      clearTimeout(timer);
      socket.off("data", onData);
      socket.off("end", onEnd);
      socket.pause();
      resolve({ protocol, head: Buffer.concat(chunks, length), ended });
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      const protocol = classify(Buffer.concat(chunks, length));
      if (protocol) done(protocol);
    };
    const onEnd = () => {
      ended = true;
      done("raw");
    };
    const timer = setTimeout(() => done("raw"), timeoutMs);
    socket.on("data", onData);
    socket.once("end", onEnd);
    socket.resume();
  });
}
