import { lstat, readFile, readlink, rm } from "node:fs/promises";
import type { ServerHttp2Stream } from "node:http2";
import { pipeline } from "node:stream/promises";
import { constants } from "node:http2";
import { readBody, respondJson, type TunnelRouter } from "../tunnel/tunnel-router.js";
import { entryOf, toWire } from "./entry.js";
import { extractTar, packPaths } from "./tar-io.js";
import { whyNotWritten } from "./tolerant-fs.js";
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

/** Files a container runtime mounts into every container: not the pod's volumes. */
const runtimeFiles = new Set(["/etc/hosts", "/etc/hostname", "/etc/resolv.conf", "/dev/termination-log"]);

/**
 * The pod's volume mounts, from /proc/self/mountinfo's text: every mount point but the root, the
 * kernel's file systems (/proc, /sys, /dev) and the runtime's own files.
 */
export function volumeMountsIn(mountinfo: string): string[] {
  const mounts: string[] = [];
  for (const line of mountinfo.split("\n")) {
    const field = line.split(" ")[4];
    if (!field) continue;
    const path = field.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    if (path === "/" || /^\/(proc|sys|dev)(\/|$)/.test(path) || runtimeFiles.has(path)) continue;
    mounts.push(path);
  }
  return mounts;
}

async function podVolumeMounts(): Promise<string[]> {
  return volumeMountsIn(await readFile("/proc/self/mountinfo", "utf8").catch(() => ""));
}

/** The listing of a path that is no volume of the pod: as a volume that is missing. */
const notAVolume = (path: string): Listing => ({
  kind: "listing",
  path,
  bytes: 0,
  files: 0,
  skipped: "missing",
  unreadable: [],
});

/** Whether `path` is one of `roots` or under one. */
const within = (roots: string[], path: string) => roots.some((r) => path === r || path.startsWith(`${r}/`));

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
export function addVolumeRoutes(
  router: TunnelRouter,
  log: (message: string) => void,
  /** Where the routes may read, write and delete: the pod's volume mounts. */
  volumeRoots: () => Promise<string[]> = podVolumeMounts,
): TunnelRouter {
  let roots: Promise<string[]> | undefined;
  /** A path the routes may touch: absolute, inside one of the pod's volume mounts. */
  const inVolume = async (p: string): Promise<string> => {
    const path = checkPath(p);
    if (!within(await (roots ??= volumeRoots()), path))
      throw new Error(`not inside a volume of the pod: ${path}`);
    return path;
  };
  const allInVolumes = (paths: string[]) => Promise.all(paths.map(inVolume));
  /** Snapshot streams being sent: the volume watchers hold off meanwhile. */
  let copies = 0;
  router.on("POST", VolumePaths.watch, async (stream) => {
    const request = await jsonBody(stream, watchRequest, VolumePaths.watch);
    stream.respond({ ":status": 200, "content-type": "application/x-ndjson" });
    const send = (m: WatchMessage) => {
      if (!stream.closed && !stream.destroyed) stream.write(JSON.stringify(m) + "\n");
    };
    const rescanMs = request.rescanMs ?? 2_000;
    const allowed = await (roots ??= volumeRoots());
    const watchers = request.volumes.map((v) => {
      const volume = { ...v, path: checkPath(v.path) };
      if (!within(allowed, volume.path)) {
        send({ kind: "error", path: volume.path, message: "not a volume mount of the pod" });
        send({ kind: "listing", path: volume.path, bytes: 0, files: 0, skipped: "missing", unreadable: [] });
      }
      return {
        volume,
        watcher: new VolumeWatcher(volume, request.limitBytes, rescanMs, send, () => copies > 0),
      };
    });
    stream.once("close", () => void Promise.all(watchers.map((w) => w.watcher.close())));
    for (const { volume, watcher } of watchers) {
      if (!within(allowed, volume.path)) continue;
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
    const allowed = await (roots ??= volumeRoots());
    for (const v of request.volumes) {
      const volume = { ...v, path: checkPath(v.path) };
      listings.push(
        within(allowed, volume.path)
          ? (await listVolume(volume, request.limitBytes)).listing
          : notAVolume(volume.path),
      );
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
    const allowed = await (roots ??= volumeRoots());
    for (const v of request.volumes) {
      const path = checkPath(v.path);
      const { listing } = within(allowed, path)
        ? await listVolume({ ...v, path }, request.limitBytes)
        : { listing: notAVolume(path) };
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
    const names = (await allInVolumes(request.paths)).map(tarName);
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
    await sendTar(stream, (await allInVolumes(request.paths)).map(tarName), false, []);
  });
  router.on("PUT", VolumePaths.files, async (stream) => {
    const allowed = await (roots ??= volumeRoots());
    const failed: { path: string; message: string }[] = [];
    const names = await extractTar("/", stream, {
      chown: false,
      onFailure: (path, err) => failed.push({ path, message: whyNotWritten(err) }),
      // A mount of one file (a subPath mount) is written in place.
      replace: (name) => !allowed.includes(`/${name.replace(/\/+$/, "")}`),
      // An entry outside the pod's volumes is left out.
      map: (h) => (within(allowed, `/${h.name.replace(/\/+$/, "")}`) ? h : undefined),
    });
    const result: PutResult = { entries: [], ...(failed.length ? { failed } : {}) };
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
    for (const p of await allInVolumes(request.paths)) await rm(p, { recursive: true, force: true });
    respondJson(stream, { ok: true } satisfies DeleteResult);
  });
  return router;
}
