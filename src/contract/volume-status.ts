import * as z from "zod/mini";
import { listing } from "./volume-protocol.js";

const skipReason = z.enum(["missing", "too-large"]);

/** The sidecar's status lines about volumes (see sidecar-status.ts). */
export const volumeStatus = [
  /** The first copy is under way: bytes received of about `total`. */
  z.object({ event: z.literal("volumes-progress"), bytes: z.number(), total: z.number() }),
  /** The first copy is done; the user container may start. */
  z.object({
    event: z.literal("volumes-ready"),
    volumes: z.array(z.object({ path: z.string(), bytes: z.number(), files: z.number() })),
    skipped: z.array(z.object({ path: z.string(), reason: skipReason, bytes: z.number() })),
    /** Files the agent could not read in the pod (left out), per volume. */
    unreadable: z.array(z.object({ path: z.string(), count: z.number() })),
    ms: z.number(),
  }),
  /** The first copy failed: the session cannot start with the pod's volumes. */
  z.object({ event: z.literal("volumes-failed"), message: z.string() }),
  /** Both sides changed a path: the newer write was kept. */
  z.object({ event: z.literal("volume-conflict"), path: z.string(), kept: z.enum(["local", "pod"]) }),
  /** Copies made to bring a volume in step. */
  z.object({
    event: z.literal("volume-synced"),
    path: z.string(),
    fromPod: z.number(),
    toPod: z.number(),
    removed: z.number(),
  }),
  /** A copy failed; it is tried again on the next change or listing. */
  z.object({ event: z.literal("volume-error"), path: z.string(), message: z.string() }),
] as const;

export type VolumeStatus = z.output<(typeof volumeStatus)[number]>;

/**
 * Written by the CLI into the session folder when it has made the first copy (see host-copy.ts):
 * a {@link HostCopyMarker}. The sidecar then takes over. No version field: the CLI and the
 * sidecar of one session are the same build (see volume-protocol.ts).
 */
export const hostCopyMarker = ".tp-first-copy";

export const hostCopyMarkerMessage = z.discriminatedUnion("ok", [
  /** `listings`: what the copy was made from; `started`: when the CLI asked for them (epoch ms). */
  z.object({ ok: z.literal(true), listings: z.array(listing), started: z.number() }),
  z.object({ ok: z.literal(false), message: z.string() }),
]);
export type HostCopyMarker = z.output<typeof hostCopyMarkerMessage>;
