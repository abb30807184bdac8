import { constants, type Http2Stream } from "node:http2";
import type { Socket } from "node:net";

const { NGHTTP2_NO_ERROR, NGHTTP2_CONNECT_ERROR } = constants;

/** The other end of a bridged socket or stream. */
const peer = Symbol("tp.bridge.peer");

interface BridgedSocket extends Socket {
  [peer]: BridgedStream;
}
interface BridgedStream extends Http2Stream {
  [peer]: BridgedSocket;
}
type Bridged = BridgedSocket | BridgedStream;

/**
 * Join a TCP socket and an HTTP/2 stream into one connection. A FIN on either side becomes a FIN
 * on the other (half-close survives: sockets must be created with allowHalfOpen), and a reset on
 * either side becomes a reset on the other (RST_STREAM CONNECT_ERROR <-> TCP RST), so a program
 * at one end sees what the program at the other end did.
 *
 * Bytes are copied as `pipe` does (a full writer pauses its reader until it drains), with
 * listeners shared by every bridge: a tunnel may hold thousands of connections, and two pipes
 * and their closures cost about 3 KB of heap per connection.
 */
export function bridge(socket: Socket, stream: Http2Stream): void {
  const s = socket as BridgedSocket;
  const h = stream as BridgedStream;
  s[peer] = h;
  h[peer] = s;
  for (const side of [s, h] as Bridged[]) {
    side.on("data", forward);
    side.on("end", endPeer);
    side.on("drain", resumePeer);
  }
  s.on("error", socketFailed);
  h.on("error", streamFailed);
  h.on("close", streamClosed);
  s.on("close", socketClosed);
  for (const side of [s, h] as Bridged[]) {
    if (side.readableEnded) process.nextTick(endPeer.bind(side));
    else if (side[peer].writableNeedDrain) side.pause();
    else side.resume();
  }
}

function forward(this: Bridged, chunk: Buffer): void {
  const to = this[peer];
  // Like an unpiped reader: bytes for a peer that is gone stay unread.
  if (to.destroyed || to.writableFinished || !to.write(chunk)) this.pause();
}

function endPeer(this: Bridged): void {
  this[peer].end();
}

function resumePeer(this: Bridged): void {
  const from = this[peer];
  if (!from.destroyed) from.resume();
}

function socketFailed(this: BridgedSocket): void {
  resetStream(this[peer]);
}

function streamFailed(this: BridgedStream): void {
  if (!this[peer].destroyed) this[peer].resetAndDestroy();
}

function streamClosed(this: BridgedStream): void {
  const socket = this[peer];
  if (this.rstCode !== undefined && this.rstCode !== NGHTTP2_NO_ERROR) {
    if (!socket.destroyed) socket.resetAndDestroy();
  } else if (!socket.destroyed && !socket.writableEnded) {
    socket.end();
  }
}

function socketClosed(this: BridgedSocket, hadError: boolean): void {
  const stream = this[peer];
  if (stream.closed || stream.destroyed) return;
  if (hadError) stream.close(NGHTTP2_CONNECT_ERROR);
  else setTimeout(closeStream, 5_000, stream).unref();
}

function closeStream(stream: Http2Stream): void {
  if (!stream.closed && !stream.destroyed) stream.close(NGHTTP2_NO_ERROR);
}

/** Reset a stream as a failed connection (the peer resets its socket). */
export function resetStream(stream: Http2Stream): void {
  if (!stream.closed && !stream.destroyed) stream.close(NGHTTP2_CONNECT_ERROR);
}
