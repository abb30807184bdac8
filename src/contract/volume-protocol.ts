/** What a path of a volume is: the three kinds a volume holds (others are skipped). */
export type EntryType = "file" | "dir" | "symlink";

/** A path's entry on the wire: `[type, mode, size, mtimeMs, target?]`. */
export type WireEntry = [EntryType, number, number, number, string?];

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

export interface WatchVolume {
  /** The mount path in the pod. */
  path: string;
  /** Paths under it (relative) that belong to other volumes mounted inside it. */
  exclude: string[];
}

export interface WatchRequest {
  volumes: WatchVolume[];
  /** A volume with more bytes than this is not copied (it is reported as too large). */
  limitBytes: number;
  /** How often each volume is listed again even without a change notification. */
  rescanMs?: number;
}

export type WatchMessage =
  | {
      kind: "listing";
      path: string;
      /** Absent when skipped. Paths relative to the volume ("" is the mount path itself). */
      entries?: [string, WireEntry][];
      bytes: number;
      files: number;
      skipped?: "missing" | "too-large";
      /** Relative paths the agent may not read (left out). */
      unreadable: string[];
    }
  | { kind: "changes"; path: string; changes: [string, WireEntry | null][] }
  | { kind: "error"; path: string; message: string };

export interface ListRequest {
  volumes: WatchVolume[];
  /** A volume with more bytes than this is reported as too large, without its entries. */
  limitBytes: number;
}

export interface ListResult {
  listings: Listing[];
}

export interface SnapshotRequest {
  /** Mount paths to copy whole. */
  paths: string[];
  /** Absolute paths left out (nested volumes, unreadable files). */
  skip: string[];
  /**
   * Small volumes: copied by tar-fs in the agent's own process. Starting a tar process costs
   * more than it saves for a few files (the service account token is in every session).
   */
  inProcess?: boolean;
}

export interface PathsRequest {
  paths: string[];
}

export interface PutResult {
  /** Each written path and its entry in the pod now (null: not there). */
  entries: [string, WireEntry | null][];
}

/** The relative tar name of an absolute path ("/etc/config/a" → "etc/config/a"). */
export function tarName(absolute: string): string {
  return absolute.replace(/^\/+/, "");
}

/** An absolute path joined from a mount path and a path relative to it. */
export function joinPath(mountPath: string, rel: string): string {
  return rel ? `${mountPath.replace(/\/+$/, "")}/${rel}` : mountPath;
}

/** The first message of a watch for one volume: all its entries, or why it is skipped. */
export type Listing = Extract<WatchMessage, { kind: "listing" }>;
