import type { IncomingHttpHeaders, ServerHttp2Session, ServerHttp2Stream } from "node:http2";

/** Handles one stream of the tunnel. Throwing answers 500 (or resets a stream already answered). */
export type StreamHandler = (
  stream: ServerHttp2Stream,
  headers: IncomingHttpHeaders,
  session: ServerHttp2Session,
) => void | Promise<void>;

/**
 * Dispatches the tunnel's streams: `CONNECT` to one handler, everything else by method and path.
 * A path registered with a trailing slash matches every path under it (`/inbound/` gets
 * `/inbound/42`). Parts of the agent add their routes; nothing here knows about them.
 */
export class TunnelRouter {
  readonly #routes = new Map<string, StreamHandler>();
  #connect: StreamHandler | undefined;

  onConnect(handler: StreamHandler): this {
    this.#connect = handler;
    return this;
  }

  on(method: string, path: string, handler: StreamHandler): this {
    this.#routes.set(`${method} ${path}`, handler);
    return this;
  }

  handle(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    stream.on("error", () => {
      // A peer that resets a stream is not an error of the agent.
    });
    const method = headers[":method"] ?? "GET";
    const handler = method === "CONNECT" ? this.#connect : this.#find(method, headers[":path"] ?? "/");
    if (!handler) {
      respondError(stream, 404, "no such route");
      return;
    }
    Promise.resolve()
      .then(() => handler(stream, headers, stream.session as ServerHttp2Session))
      .catch((err: unknown) => respondError(stream, 500, err instanceof Error ? err.message : String(err)));
  }

  #find(method: string, path: string): StreamHandler | undefined {
    const exact = this.#routes.get(`${method} ${path}`);
    if (exact) return exact;
    const slash = path.lastIndexOf("/");
    return slash > 0 ? this.#routes.get(`${method} ${path.slice(0, slash + 1)}`) : undefined;
  }
}

/** Answer a stream with an error status and a short text, or reset it if already answered. */
export function respondError(stream: ServerHttp2Stream, status: number, message: string): void {
  if (stream.closed || stream.destroyed) return;
  if (stream.headersSent) {
    stream.close();
    return;
  }
  stream.respond({ ":status": status, "content-type": "text/plain" });
  stream.end(message);
}

/** Answer a stream with a JSON body. */
export function respondJson(stream: ServerHttp2Stream, value: unknown): void {
  stream.respond({ ":status": 200, "content-type": "application/json" });
  stream.end(JSON.stringify(value));
}

/** Read a whole request body, refusing more than `limit` bytes. */
export async function readBody(stream: ServerHttp2Stream, limit = 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new Error(`request body larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
