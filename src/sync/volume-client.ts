import type { ClientHttp2Session, ClientHttp2Stream } from "node:http2";
import type { Readable } from "node:stream";
import { TunnelRequestError } from "../tunnel/tunnel-client.js";
import * as z from "zod/mini";
import {
  VolumePaths,
  deleteResult,
  listResult,
  putResult,
  type ListRequest,
  type ListResult,
  type Listing,
  type PathsRequest,
  type PutResult,
  type SnapshotRequest,
  type WatchRequest,
} from "../contract/volume-protocol.js";
import { parseJsonMessage } from "../contract/message.js";

/** The next chunk of a paused stream, or undefined at its end. */
function nextChunk(stream: Readable): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const done = () => {
      stream.off("readable", readable);
      stream.off("end", ended);
      stream.off("error", failed);
    };
    const readable = () => {
      const c = stream.read() as Buffer | null;
      if (c) {
        done();
        resolve(c);
      }
    };
    const ended = () => (done(), resolve(undefined));
    const failed = (err: Error) => (done(), reject(err));
    stream.on("readable", readable);
    stream.once("end", ended);
    stream.once("error", failed);
  });
}

/** Wait for a stream's response headers; non-2xx statuses reject with the body's text. */
async function answered(stream: ClientHttp2Stream, what: string): Promise<ClientHttp2Stream> {
  stream.on("error", () => {
    // Reported through the promise below or by whoever reads the stream.
  });
  await new Promise<void>((resolve, reject) => {
    stream.once("response", (res) => {
      const status = Number(res[":status"] ?? 0);
      if (status >= 200 && status < 300) return resolve();
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.once("end", () =>
        reject(
          new TunnelRequestError(`${what}: ${status} ${Buffer.concat(chunks).toString("utf8")}`, status),
        ),
      );
    });
    stream.once("close", () => reject(new TunnelRequestError(`${what}: stream closed before an answer`)));
  });
  return stream;
}

function postJson(session: ClientHttp2Session, path: string, body: unknown): Promise<ClientHttp2Stream> {
  const stream = session.request({ ":method": "POST", ":path": path, "content-type": "application/json" });
  stream.end(JSON.stringify(body));
  return answered(stream, `POST ${path}`);
}

/** An answer's JSON, checked against its schema. */
async function readJson<S extends z.ZodMiniType>(
  stream: ClientHttp2Stream,
  schema: S,
  what: string,
): Promise<z.output<S>> {
  const chunks: Buffer[] = [];
  for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
  return parseJsonMessage(schema, Buffer.concat(chunks).toString("utf8"), `the answer to ${what}`, "tunnel");
}

/** The sidecar's calls to the volume routes of the proxy agent, on one tunnel session. */
export class VolumeClient {
  constructor(readonly session: ClientHttp2Session) {}

  /** The stream of listings and changes (JSON lines); close it to stop watching. */
  watch(request: WatchRequest): Promise<ClientHttp2Stream> {
    return postJson(this.session, VolumePaths.watch, request);
  }

  /** One listing of each volume. */
  async list(request: ListRequest): Promise<ListResult> {
    return readJson(
      await postJson(this.session, VolumePaths.list, request),
      listResult,
      `POST ${VolumePaths.list}`,
    );
  }

  /**
   * Small volumes in one answer: their listings, then a tar of those that are not skipped (read
   * after the listing).
   */
  async copy(request: ListRequest): Promise<{ listings: Listing[]; tar: Readable }> {
    const stream = await postJson(this.session, VolumePaths.copy, request);
    let head = Buffer.alloc(0);
    for (;;) {
      const chunk = (stream.read() as Buffer | null) ?? (await nextChunk(stream));
      if (!chunk) throw new Error(`POST ${VolumePaths.copy}: the answer ended before its listing`);
      head = Buffer.concat([head, chunk]);
      const nl = head.indexOf(10);
      if (nl < 0) continue;
      const { listings } = parseJsonMessage(
        listResult,
        head.subarray(0, nl).toString("utf8"),
        `the listing of POST ${VolumePaths.copy}`,
        "tunnel",
      );
      const rest = head.subarray(nl + 1);
      if (rest.length) stream.unshift(rest);
      return { listings, tar: stream };
    }
  }

  /** A tar of whole volumes. */
  snapshot(request: SnapshotRequest): Promise<ClientHttp2Stream> {
    return postJson(this.session, VolumePaths.snapshot, request);
  }

  /** A tar of exactly these absolute paths. */
  fetch(paths: string[]): Promise<ClientHttp2Stream> {
    return postJson(this.session, VolumePaths.fetch, { paths } satisfies PathsRequest);
  }

  /** Write a tar in the pod; returns the entries written, as the pod sees them now. */
  async put(tar: Readable): Promise<PutResult> {
    const stream = this.session.request({
      ":method": "PUT",
      ":path": VolumePaths.files,
      "content-type": "application/x-tar",
    });
    let failed: unknown;
    tar.once("error", (err) => {
      failed = err;
      stream.close();
    });
    tar.pipe(stream);
    const what = `PUT ${VolumePaths.files}`;
    const result = await readJson(await answered(stream, what), putResult, what).catch((err: unknown) => {
      throw failed ?? err;
    });
    return result;
  }

  async remove(paths: string[]): Promise<void> {
    const stream = await postJson(this.session, VolumePaths.delete, { paths } satisfies PathsRequest);
    await readJson(stream, deleteResult, `POST ${VolumePaths.delete}`);
  }
}
