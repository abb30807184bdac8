import { chmod, mkdir, readFile, rm } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { localHeaderMap } from "./local-volume-io.js";
import { fixOwnership } from "./owner-fixup.js";
import { extractWithTar, systemTar } from "./system-tar.js";
import { extractTar } from "./tar-io.js";
import type { VolumeClient } from "./volume-client.js";
import type { VolumeSpec, VolumesConfig } from "./volume-config.js";
import { joinPath, type Listing } from "./volume-protocol.js";
import { hostCopyMarker, type VolumeStatus } from "./volume-status.js";

/** Up to this many bytes, the first copy runs in process (tar-fs) on both sides. */
const smallCopyBytes = 1024 * 1024;

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
 * are extracted side by side, since creating thousands of files is the slow part: by the CLI when
 * the configuration says so (fewer hops for every byte; it writes a marker file when done), else
 * here. Owners and modes are then put right.
 */
export async function copyFirst(c: FirstCopy): Promise<void> {
  const { client, config, volumes, listings, skip, total } = c;
  const small = total <= smallCopyBytes;
  const system = small ? undefined : systemTar();
  let bytes = 0;
  const progress = setInterval(() => c.emit({ event: "volumes-progress", bytes, total }), 250);
  try {
    if (!system) {
      const tar = await client.snapshot({ paths: volumes.map((v) => v.spec.path), skip, inProcess: small });
      tar.on("data", (chunk: Buffer) => (bytes += chunk.length));
      await extractTar(config.root, tar, { chown: true, map: localHeaderMap(config) });
      return;
    }
    // Each volume's own folder first: the streams would otherwise race to create it.
    for (const v of volumes)
      if (rootOf(listings, v.spec)?.[0] === "dir") await mkdir(v.io.localPath, { recursive: true });
    const ways = Math.max(1, Math.min(4, availableParallelism()));
    const shares = shareOut(volumes, listings, new Set(skip), ways);
    if (config.hostCopy) {
      clearInterval(progress);
      c.emit({ event: "volumes-copy", shares, skip, total });
      await waitForHostCopy(config.root);
    } else {
      await Promise.all(
        shares.map(async (paths) => {
          const tar = await client.snapshot({ paths, skip });
          tar.on("data", (chunk: Buffer) => (bytes += chunk.length));
          await extractWithTar(system, config.root, tar);
        }),
      );
    }
    for (const v of volumes) {
      // The volume's folder is in no share: its mode comes from the listing.
      const root = rootOf(listings, v.spec);
      if (root?.[0] === "dir") await chmod(v.io.localPath, root[1] & 0o7777);
      fixOwnership(v.io.localPath, config.uid, config.gid, v.spec.ownerOnly);
    }
  } finally {
    clearInterval(progress);
  }
}

function rootOf(listings: Map<string, Listing>, spec: VolumeSpec) {
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

/** Wait for the CLI's marker of the first copy; fail with its message; remove it. */
async function waitForHostCopy(root: string): Promise<void> {
  const marker = join(root, hostCopyMarker);
  for (;;) {
    const text = await readFile(marker, "utf8").catch(() => undefined);
    let result: { ok: boolean; message?: string } | undefined;
    try {
      result = text === undefined ? undefined : (JSON.parse(text) as typeof result);
    } catch {
      // Not whole yet (the CLI renames it into place; an older one may write it in place).
    }
    if (result) {
      await rm(marker, { force: true });
      if (!result.ok) throw new Error(result.message ?? "the first copy failed");
      return;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}
