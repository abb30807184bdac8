import { setDefaultHighWaterMark } from "node:stream";

/**
 * How many bytes a stream of a tunnel end (socket, HTTP/2 stream) takes before it asks its source
 * to wait. Node's 16 KiB is less than one 64 KiB socket read, so a socket piped into an HTTP/2
 * stream paused after every read and waited a turn of the event loop for the session to send it:
 * one stream then moved one read per turn (about 40 MiB/s on a busy machine, where eight streams
 * moved 110). At 256 KiB a pipe pauses about once in four reads.
 */
export const tunnelHighWaterMark = 256 * 1024;

/** For the processes that are tunnel ends (the sidecar, the proxy agent): every stream they make. */
export function useTunnelBuffers(): void {
  setDefaultHighWaterMark(false, tunnelHighWaterMark);
}
