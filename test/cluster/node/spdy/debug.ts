import type { Frame } from "./frames.js";

/** SPDY_DEBUG set: every frame sent and received is printed. */
export const spdyDebug = !!process.env.SPDY_DEBUG;

/** A frame for a debug line: its fields without the bytes it carries. */
export function describeFrame(f: Frame): string {
  return JSON.stringify({
    ...f,
    data: undefined,
    block: undefined,
    len: "data" in f ? f.data.length : undefined,
  });
}
