import * as z from "zod/mini";

/** What a path of a volume is: the three kinds a volume holds (others are skipped). */
const entryType = z.enum(["file", "dir", "symlink"]);
export type EntryType = z.output<typeof entryType>;

/** A path's entry on the wire: `[type, mode, size, mtimeMs, target?]`. */
const wireEntry = z.tuple([entryType, z.number(), z.number(), z.number(), z.optional(z.string())]);
export type WireEntry = z.output<typeof wireEntry>;

/**
 * The volume routes of the tunnel (served by the proxy agent in the pod, asked by the sidecar).
 * Paths on the wire are absolute paths in the pod; tar entry names are the same paths without
 * the leading slash.
 *
 * - `POST /volumes/watch` (JSON {@link WatchRequest}): answers JSON lines ({@link WatchMessage}):
 *   first a full listing of each volume, then its changes, for as long as the stream is open.
 * - `POST /volumes/list` (JSON {@link ListRequest}): one listing of each volume, as JSON
 *   {@link ListResult} (the first copy's plan).
 * - `POST /volumes/copy` (JSON {@link ListRequest}): for small volumes, both in one answer: a
 *   line of JSON {@link ListResult}, then a tar of every volume that is not skipped, read after
 *   the listing (the listing is never newer than the copy).
 * - `POST /volumes/snapshot` (JSON {@link SnapshotRequest}): a tar of whole volumes.
 * - `POST /volumes/fetch` (JSON {@link PathsRequest}): a tar of exactly these paths.
 * - `PUT /volumes/files` (a tar): written in the pod; answers {@link PutResult}.
 * - `POST /volumes/delete` (JSON {@link PathsRequest}): removed in the pod (recursively).
 */
export const VolumePaths = {
  watch: "/volumes/watch",
  list: "/volumes/list",
  copy: "/volumes/copy",
  snapshot: "/volumes/snapshot",
  fetch: "/volumes/fetch",
  files: "/volumes/files",
  delete: "/volumes/delete",
} as const;

/**
 * No version field: both ends are the same tp-agent build (the sidecar and the proxy run the
 * CLI's agent image, and the CLI refuses an agent of another version before the tunnel carries
 * anything, see cluster/pod-env.ts), so a version could only ever say "1". A field that an end
 * does not know is dropped, a missing or mistyped one refused.
 */
const watchVolume = z.object({
  /** The mount path in the pod. */
  path: z.string(),
  /** Paths under it (relative) that belong to other volumes mounted inside it. */
  exclude: z.array(z.string()),
});
export type WatchVolume = z.output<typeof watchVolume>;

export const watchRequest = z.object({
  volumes: z.array(watchVolume),
  /** A volume with more bytes than this is not copied (it is reported as too large). */
  limitBytes: z.number(),
  /** How often each volume is listed again even without a change notification. */
  rescanMs: z.optional(z.number()),
});
export type WatchRequest = z.output<typeof watchRequest>;

const change = z.tuple([z.string(), z.nullable(wireEntry)]);

/** The first message of a watch for one volume: all its entries, or why it is skipped. */
export const listing = z.object({
  kind: z.literal("listing"),
  path: z.string(),
  /** Absent when skipped. Paths relative to the volume ("" is the mount path itself). */
  entries: z.optional(z.array(z.tuple([z.string(), wireEntry]))),
  bytes: z.number(),
  files: z.number(),
  skipped: z.optional(z.enum(["missing", "too-large"])),
  /** Relative paths the agent may not read (left out). */
  unreadable: z.array(z.string()),
});
export type Listing = z.output<typeof listing>;

/** A line of the answer to a watch. */
export const watchMessage = z.discriminatedUnion("kind", [
  listing,
  z.object({ kind: z.literal("changes"), path: z.string(), changes: z.array(change) }),
  z.object({ kind: z.literal("error"), path: z.string(), message: z.string() }),
]);
export type WatchMessage = z.output<typeof watchMessage>;

export const listRequest = z.object({
  volumes: z.array(watchVolume),
  /** A volume with more bytes than this is reported as too large, without its entries. */
  limitBytes: z.number(),
});
export type ListRequest = z.output<typeof listRequest>;

export const listResult = z.object({ listings: z.array(listing) });
export type ListResult = z.output<typeof listResult>;

export const snapshotRequest = z.object({
  /** Mount paths to copy whole. */
  paths: z.array(z.string()),
  /** Absolute paths left out (nested volumes, unreadable files). */
  skip: z.array(z.string()),
  /**
   * Small volumes: copied by tar-fs in the agent's own process. Starting a tar process costs
   * more than it saves for a few files (the service account token is in every session).
   */
  inProcess: z.optional(z.boolean()),
});
export type SnapshotRequest = z.output<typeof snapshotRequest>;

export const pathsRequest = z.object({ paths: z.array(z.string()) });
export type PathsRequest = z.output<typeof pathsRequest>;

export const putResult = z.object({
  /** Each written path and its entry in the pod now (null: not there). */
  entries: z.array(change),
  /** Paths that could not be written in the pod (the agent's user may not), and why. */
  failed: z.optional(z.array(z.object({ path: z.string(), message: z.string() }))),
});
export type PutResult = z.output<typeof putResult>;

/** The answer to a delete. */
export const deleteResult = z.object({ ok: z.literal(true) });
export type DeleteResult = z.output<typeof deleteResult>;

/** The relative tar name of an absolute path ("/etc/config/a" → "etc/config/a"). */
export function tarName(absolute: string): string {
  return absolute.replace(/^\/+/, "");
}

/** An absolute path joined from a mount path and a path relative to it. */
export function joinPath(mountPath: string, rel: string): string {
  return rel ? `${mountPath.replace(/\/+$/, "")}/${rel}` : mountPath;
}
