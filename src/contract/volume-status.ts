import type { Listing } from "./volume-protocol.js";

/** The sidecar's status lines about volumes (see agent/sidecar-status.ts). */
export type VolumeStatus =
  /** The first copy is under way: bytes received of about `total`. */
  | { event: "volumes-progress"; bytes: number; total: number }
  /** The first copy is done; the user container may start. */
  | {
      event: "volumes-ready";
      volumes: { path: string; bytes: number; files: number }[];
      skipped: { path: string; reason: "missing" | "too-large"; bytes: number }[];
      /** Files the agent could not read in the pod (left out), per volume. */
      unreadable: { path: string; count: number }[];
      ms: number;
    }
  /** The first copy failed: the session cannot start with the pod's volumes. */
  | { event: "volumes-failed"; message: string }
  /** Both sides changed a path: the newer write was kept. */
  | { event: "volume-conflict"; path: string; kept: "local" | "pod" }
  /** Copies made to bring a volume in step. */
  | { event: "volume-synced"; path: string; fromPod: number; toPod: number; removed: number }
  /** A copy failed; it is tried again on the next change or listing. */
  | { event: "volume-error"; path: string; message: string };

/**
 * Written by the CLI into the session folder when it has made the first copy (see host-copy.ts):
 * a {@link HostCopyMarker}. The sidecar then takes over.
 */
export const hostCopyMarker = ".tp-first-copy";

export type HostCopyMarker =
  /** `listings`: what the copy was made from; `started`: when the CLI asked for them (epoch ms). */
  { ok: true; listings: Listing[]; started: number } | { ok: false; message: string };
