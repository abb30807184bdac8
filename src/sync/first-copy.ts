import { watch, type FSWatcher } from "node:fs";
import { chmod, lchown, mkdir, readFile, rm } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { localHeaderMap } from "./local-volume-io.js";
import { fixOwnership } from "./owner-fixup.js";
import { extractWithTar, systemTar } from "./system-tar.js";
import { extractTar } from "./tar-io.js";
import type { VolumeClient } from "./volume-client.js";
import { volumeOwner, type VolumeSpec, type VolumesConfig } from "../contract/volume-config.js";
import { joinPath, tarName, type Listing } from "../contract/volume-protocol.js";
import {
  hostCopyMarker,
  hostCopyMarkerMessage,
  type HostCopyMarker,
  type VolumeStatus,
} from "../contract/volume-status.js";
import { parseJsonMessage } from "../contract/message.js";

/** Up to this many bytes, the first copy runs in process (tar-fs) on both sides. */
export const smallCopyBytes = 1024 * 1024;

export interface FirstCopy {
  client: VolumeClient;
  config: VolumesConfig;
  /** The volumes to copy (not skipped), with their folders in the session folder. */
  volumes: { spec: VolumeSpec; io: { localPath: string } }[];
  listings: Map<string, Listing>;
  /** Absolute paths left out (nested volumes, unreadable files). */
  skip: string[];
  total: number;
  emit: (status: VolumeStatus) => void;
}

/**
 * The first copy of the volumes into the session folder. A few files are copied in process on
 * both sides (a tar process costs more than it saves). More are shared out in tar streams that
 * are extracted side by side, since creating thousands of files is the slow part. Owners and
 * modes are then put right. (In a tp session the CLI makes the first copy instead: see
 * host-copy.ts and {@link waitForHostCopy}.)
 */
export async function copyFirst(c: FirstCopy): Promise<void> {
  const { client, config, volumes, listings, skip, total } = c;
  const small = total <= smallCopyBytes;
  const system = small ? undefined : systemTar();
  let bytes = 0;
  const progress = setInterval(() => c.emit({ event: "volumes-progress", bytes, total }), 250);
  // In process: a few files, and Secrets (written owner-only from the start, which the system's
  // tar would not do).
  const inProcess = async (paths: string[], secrets: boolean) => {
    const tar = await client.snapshot({ paths, skip, inProcess: small || secrets });
    tar.on("data", (chunk: Buffer) => (bytes += chunk.length));
    await extractTar(config.root, tar, { chown: true, map: localHeaderMap(config), ownerOnly: secrets });
  };
  try {
    if (!system)
      return await inProcess(
        volumes.map((v) => v.spec.path),
        volumes.every((v) => v.spec.ownerOnly),
      );
    // Each volume's own folder first: the streams would otherwise race to create it.
    // (A Secret's folder comes owner-only in its own stream.)
    for (const v of volumes)
      if (rootOf(listings, v.spec)?.[0] === "dir" && !v.spec.ownerOnly)
        await mkdir(v.io.localPath, { recursive: true });
    const ways = Math.max(1, Math.min(4, availableParallelism()));
    const privately = volumes.filter((v) => v.spec.ownerOnly);
    const shares = shareOut(
      volumes.filter((v) => !v.spec.ownerOnly),
      listings,
      new Set(skip),
      ways,
    );
    await Promise.all([
      ...shares.map(async (paths) => {
        const tar = await client.snapshot({ paths, skip });
        tar.on("data", (chunk: Buffer) => (bytes += chunk.length));
        await extractWithTar(system, config.root, tar);
      }),
      ...(privately.length
        ? [
            inProcess(
              privately.map((v) => v.spec.path),
              true,
            ),
          ]
        : []),
    ]);
    // The volumes' own folders are in no share: their modes come from the listing.
    await fixCopied(config, volumes, listings);
  } finally {
    clearInterval(progress);
  }
}

export function rootOf(listings: Map<string, Listing>, spec: VolumeSpec) {
  return listings.get(spec.path)?.entries?.find(([rel]) => rel === "")?.[1];
}

/**
 * The top-level entries of the volumes, shared out in `ways` parts of about the same size (bytes,
 * plus a block per entry), each part one tar stream. Skipped paths are left out.
 */
export function shareOut(
  volumes: { spec: VolumeSpec }[],
  listings: Map<string, Listing>,
  skip: Set<string>,
  ways: number,
): string[][] {
  const weights = new Map<string, number>();
  for (const v of volumes) {
    const entries = listings.get(v.spec.path)?.entries ?? [];
    const root = rootOf(listings, v.spec);
    if (root && root[0] !== "dir") {
      // A single file (a subPath mount): copied whole.
      weights.set(v.spec.path, root[2] + 512);
      continue;
    }
    for (const [rel, wire] of entries) {
      if (rel === "") continue;
      const top = joinPath(v.spec.path, rel.split("/")[0] as string);
      if (skip.has(top)) continue;
      weights.set(top, (weights.get(top) ?? 0) + wire[2] + 512);
    }
  }
  const shares = Array.from({ length: ways }, () => ({ paths: [] as string[], weight: 0 }));
  for (const [path, weight] of [...weights].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))) {
    const share = shares.reduce((a, b) => (b.weight < a.weight ? b : a));
    share.paths.push(path);
    share.weight += weight;
  }
  return shares.map((s) => s.paths.sort()).filter((p) => p.length > 0);
}

/** Wait for the CLI's marker of the first copy (see host-copy.ts) and remove it. */
export async function waitForHostCopy(root: string): Promise<HostCopyMarker> {
  const marker = join(root, hostCopyMarker);
  // One watch for the whole wait (it wakes the loop when the marker appears); the loop also
  // looks every 25 ms, for folders that cannot be watched.
  let wake = () => undefined as void;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(root, (_event, name) => {
      if (!name || name === hostCopyMarker) wake();
    });
    watcher.on("error", () => undefined);
  } catch {
    // Not watchable here: the timer looks again.
  }
  try {
    for (;;) {
      const text = await readFile(marker, "utf8").catch(() => undefined);
      if (text !== undefined) {
        await rm(marker, { force: true });
        return parseJsonMessage(hostCopyMarkerMessage, text, "the marker of the first copy");
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 25);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    watcher?.close();
  }
}

/** After the CLI's copy: each volume's folder gets the pod's mode, owners and modes are fixed. */
export async function fixCopied(
  config: VolumesConfig,
  volumes: FirstCopy["volumes"],
  listings: Map<string, Listing>,
): Promise<void> {
  for (const v of volumes) {
    const root = rootOf(listings, v.spec);
    // (A Secret's folder stays owner-only: fixOwnership makes it 0700.)
    if (root?.[0] === "dir" && !v.spec.ownerOnly) await chmod(v.io.localPath, root[1] & 0o7777);
    const { uid, gid } = volumeOwner(config);
    fixOwnership(v.io.localPath, uid, gid, v.spec.ownerOnly);
  }
}

/** The folders above a mount path, owned by the host user (so that it can remove them). */
export async function makeParents(config: VolumesConfig, mountPath: string): Promise<void> {
  const parts = tarName(dirname(mountPath)).split("/").filter(Boolean);
  let dir = config.root;
  for (const part of parts) {
    dir = join(dir, part);
    await mkdir(dir, { mode: 0o755 }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== "EEXIST") throw err;
    });
    await lchown(dir, config.uid, config.gid);
  }
}
