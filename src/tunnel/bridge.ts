import { constants, type Http2Stream } from "node:http2";
import type { Socket } from "node:net";

const { NGHTTP2_NO_ERROR, NGHTTP2_CONNECT_ERROR } = constants;

/**
 * Join a TCP socket and an HTTP/2 stream into one connection. A FIN on either side becomes a FIN
 * on the other (half-close survives: sockets must be created with allowHalfOpen), and a reset on
 * either side becomes a reset on the other (RST_STREAM CONNECT_ERROR <-> TCP RST), so a program
 * at one end sees what the program at the other end did.
 */
export function bridge(socket: Socket, stream: Http2Stream): void {
  socket.pipe(stream);
  stream.pipe(socket);
  socket.on("error", () => {
    if (!stream.closed && !stream.destroyed) stream.close(NGHTTP2_CONNECT_ERROR);
  });
  stream.on("error", () => {
    if (!socket.destroyed) socket.resetAndDestroy();
  });
  stream.on("close", () => {
    if (stream.rstCode !== undefined && stream.rstCode !== NGHTTP2_NO_ERROR) {
      if (!socket.destroyed) socket.resetAndDestroy();
    } else if (!socket.destroyed && !socket.writableEnded) {
      socket.end();
    }
  });
  socket.on("close", (hadError) => {
    if (stream.closed || stream.destroyed) return;
    if (hadError) stream.close(NGHTTP2_CONNECT_ERROR);
    else setTimeout(() => stream.close(NGHTTP2_NO_ERROR), 5_000).unref();
  });
}

/** Reset a stream as a failed connection (the peer resets its socket). */
export function resetStream(stream: Http2Stream): void {
  if (!stream.closed && !stream.destroyed) stream.close(NGHTTP2_CONNECT_ERROR);
}
