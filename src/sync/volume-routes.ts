import { lstat, readlink, rm } from "node:fs/promises";
import type { ServerHttp2Stream } from "node:http2";
import { pipeline } from "node:stream/promises";
import { constants } from "node:http2";
import { readBody, respondJson, type TunnelRouter } from "../tunnel/tunnel-router.js";
import { entryOf, toWire } from "./entry.js";
import { extractTar, packPaths } from "./tar-io.js";
import * as z from "zod/mini";
import {
  tarName,
  VolumePaths,
  joinPath,
  listRequest,
  pathsRequest,
  snapshotRequest,
  watchRequest,
  type DeleteResult,
  type ListResult,
  type Listing,
  type PutResult,
  type WatchMessage,
} from "../contract/volume-protocol.js";
import { parseJsonMessage } from "../contract/message.js";
import { listVolume, VolumeWatcher } from "./volume-watcher.js";
import { packWithTar, systemTar } from "./system-tar.js";

/** An absolute, normalised path that is not "/" itself. */
function checkPath(p: string): string {
  if (typeof p !== "string" || !p.startsWith("/") || p === "/" || p.split("/").includes(".."))
    throw new Error(`not an absolute path inside a volume: ${String(p)}`);
  return p;
}

/** The request's JSON body, checked against its schema (a body that does not fit answers 500 naming the field). */
async function jsonBody<S extends z.ZodMiniType>(
  stream: ServerHttp2Stream,
  schema: S,
  path: string,
): Promise<z.output<S>> {
  const text = (await readBody(stream, 64 * 1024 * 1024)).toString("utf8");
  return parseJsonMessage(schema, text, `the body of ${path}`, "tunnel");
}

async function sendTar(stream: ServerHttp2Stream, entries: string[], recursive: boolean, skip: string[]) {
  const tar = await packPaths("/", entries, { recursive, skip: new Set(skip) });
  stream.respond({ ":status": 200, "content-type": "application/x-tar" });
  await pipeline(tar, stream).catch(() => {
    // A file that could not be read midway: the client sees the stream reset.
    if (!stream.destroyed) stream.close(constants.NGHTTP2_INTERNAL_ERROR);
  });
}

/** The pod's side of volume sync: listings and changes, tar out, tar in, removals. */
export function addVolumeRoutes(router: TunnelRouter, log: (message: string) => void): TunnelRouter {
  /** Snapshot streams being sent: the volume watchers hold off meanwhile. */
  let copies = 0;
  router.on("POST", VolumePaths.watch, async (stream) => {
    const request = await jsonBody(stream, watchRequest, VolumePaths.watch);
    stream.respond({ ":status": 200, "content-type": "application/x-ndjson" });
    const send = (m: WatchMessage) => {
      if (!stream.closed && !stream.destroyed) stream.write(JSON.stringify(m) + "\n");
    };
    const rescanMs = request.rescanMs ?? 2_000;
    const watchers = request.volumes.map((v) => {
      const volume = { ...v, path: checkPath(v.path) };
      return {
        volume,
        watcher: new VolumeWatcher(volume, request.limitBytes, rescanMs, send, () => copies > 0),
      };
    });
    stream.once("close", () => void Promise.all(watchers.map((w) => w.watcher.close())));
    for (const { volume, watcher } of watchers) {
      await watcher.start().catch((err: unknown) => {
        log(`volume ${volume.path}: ${(err as Error).message}`);
        send({ kind: "error", path: volume.path, message: (err as Error).message });
        send({ kind: "listing", path: volume.path, bytes: 0, files: 0, skipped: "missing", unreadable: [] });
      });
    }
  });
  router.on("POST", VolumePaths.list, async (stream) => {
    const request = await jsonBody(stream, listRequest, VolumePaths.list);
    const listings: Listing[] = [];
    for (const v of request.volumes) {
      const volume = { ...v, path: checkPath(v.path) };
      listings.push((await listVolume(volume, request.limitBytes)).listing);
    }
    respondJson(stream, { listings } satisfies ListResult);
  });
  router.on("POST", VolumePaths.copy, async (stream) => {
    copies++;
    stream.once("close", () => copies--);
    const request = await jsonBody(stream, listRequest, VolumePaths.copy);
    // The walk is synchronous and ends before the tar reads a file: the listing is never newer.
    const listings: Listing[] = [];
    const skip = new Set<string>();
    for (const v of request.volumes) {
      const path = checkPath(v.path);
      const { listing } = await listVolume({ ...v, path }, request.limitBytes);
      listings.push(listing);
      for (const rel of [...listing.unreadable, ...v.exclude]) skip.add(joinPath(path, rel));
    }
    const names = listings.filter((l) => !l.skipped).map((l) => tarName(l.path));
    const tar = await packPaths("/", names, { recursive: true, skip });
    stream.respond({ ":status": 200, "content-type": "application/x-tp-listing+tar" });
    stream.write(JSON.stringify({ listings } satisfies ListResult) + "\n");
    await pipeline(tar, stream).catch(() => {
      if (!stream.destroyed) stream.close(constants.NGHTTP2_INTERNAL_ERROR);
    });
  });
  router.on("POST", VolumePaths.snapshot, async (stream) => {
    copies++;
    stream.once("close", () => copies--);
    const request = await jsonBody(stream, snapshotRequest, VolumePaths.snapshot);
    const names = request.paths.map(checkPath).map(tarName);
    // busybox tar has no exclude list (-X): with paths to skip, tar-fs does the copy.
    const tar = request.skip.length || request.inProcess ? undefined : systemTar();
    if (!tar) return sendTar(stream, names, true, request.skip);
    stream.respond({ ":status": 200, "content-type": "application/x-tar" });
    await pipeline(packWithTar(tar, names, request.skip, log), stream).catch(() => {
      if (!stream.destroyed) stream.close(constants.NGHTTP2_INTERNAL_ERROR);
    });
  });
  router.on("POST", VolumePaths.fetch, async (stream) => {
    const request = await jsonBody(stream, pathsRequest, VolumePaths.fetch);
    await sendTar(stream, request.paths.map(checkPath).map(tarName), false, []);
  });
  router.on("PUT", VolumePaths.files, async (stream) => {
    const names = await extractTar("/", stream, { chown: false });
    const result: PutResult = { entries: [] };
    for (const name of names) {
      const abs = `/${name.replace(/\/+$/, "")}`;
      try {
        const st = await lstat(abs);
        const e = entryOf(st, st.isSymbolicLink() ? await readlink(abs) : undefined);
        result.entries.push([abs, e ? toWire(e) : null]);
      } catch {
        result.entries.push([abs, null]);
      }
    }
    respondJson(stream, result);
  });
  router.on("POST", VolumePaths.delete, async (stream) => {
    const request = await jsonBody(stream, pathsRequest, VolumePaths.delete);
    for (const p of request.paths) await rm(checkPath(p), { recursive: true, force: true });
    respondJson(stream, { ok: true } satisfies DeleteResult);
  });
  return router;
}
