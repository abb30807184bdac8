import { lchown, rm } from "node:fs/promises";
import { join, relative } from "node:path";
import { fromWire, type Entry } from "./entry.js";
import { extractTar, packPaths, type TarHeader } from "./tar-io.js";
import { scanTree } from "./tree-scan.js";
import { whyNotWritten } from "./tolerant-fs.js";
import type { VolumeClient } from "./volume-client.js";
import { nestedPaths, volumeOwner, type VolumeSpec, type VolumesConfig } from "../contract/volume-config.js";
import type { MirrorIo } from "./volume-mirror.js";
import { joinPath, tarName } from "../contract/volume-protocol.js";

/** The volume each tar header from the pod belongs to (the innermost), or undefined. */
function volumeOfHeader(specs: readonly VolumeSpec[]): (h: TarHeader) => VolumeSpec | undefined {
  const byDepth = [...specs].sort((a, b) => b.path.length - a.path.length);
  return (header) => {
    const abs = `/${header.name.replace(/\/+$/, "")}`;
    return byDepth.find((v) => abs === v.path || abs.startsWith(v.path.replace(/\/+$/, "") + "/"));
  };
}

/** A header of a Secret's volume made owner-only: 0600 files (the owner's x bit kept), 0700 folders. */
function ownerOnlyMode(spec: VolumeSpec, header: TarHeader): TarHeader {
  if (!spec.ownerOnly) return header;
  if (header.type === "directory") return { ...header, mode: 0o700 };
  if (header.type === "file") return { ...header, mode: 0o600 | (header.mode & 0o100) };
  return header;
}

/**
 * How tar headers from the pod are written locally: owned as volumeOwner says, and owner-only
 * (0600 files, 0700 directories; the owner's x bit kept) for Secret contents.
 * Returns undefined for entries outside every volume (they are not written).
 */
export function localHeaderMap(config: VolumesConfig): (h: TarHeader) => TarHeader | undefined {
  const volumeOf = volumeOfHeader(config.volumes);
  return (header) => {
    const spec = volumeOf(header);
    return spec && ownerOnlyMode(spec, { ...header, ...volumeOwner(config) });
  };
}

/**
 * How the CLI writes the pod's tar headers (owners as the user running it): Secret contents are
 * written owner-only from the start, never opened to others until the sidecar puts modes right.
 */
export function hostHeaderMap(specs: readonly VolumeSpec[]): (h: TarHeader) => TarHeader {
  const volumeOf = volumeOfHeader(specs);
  return (header) => {
    const spec = volumeOf(header);
    return spec ? ownerOnlyMode(spec, header) : header;
  };
}

/** The local side of one volume for its mirror, over the current tunnel session. */
export class LocalVolumeIo implements MirrorIo {
  private readonly exclude: Set<string>;
  readonly localPath: string;
  /** Counts of what the last round copied, for the status line. */
  counts = { fromPod: 0, toPod: 0, removed: 0 };

  constructor(
    readonly spec: VolumeSpec,
    private readonly config: VolumesConfig,
    private readonly client: () => VolumeClient,
    private readonly onConflict: (path: string, kept: "local" | "pod") => void,
    /** A path one side could not write: the change stays on the other until it changes again. */
    private readonly onRefused: (message: string) => void = () => undefined,
  ) {
    this.exclude = new Set(nestedPaths(spec, config.volumes));
    this.localPath = join(config.root, tarName(spec.path));
  }

  private abs(rel: string): string {
    return joinPath(this.spec.path, rel);
  }

  async scanLocal(): Promise<Map<string, Entry>> {
    const { entries } = await scanTree(this.localPath, this.exclude);
    if (!this.spec.readOnly) {
      // Files the user's container wrote as root go to the host user, who removes the folder, or
      // to the container's own user (see volumeOwner), who must go on using them. Files of any
      // other user are left to it: an image that starts as root and then runs as its own user
      // (gosu postgres) made them so (tp removes the folder as root where it must).
      const { uid, gid } = volumeOwner(this.config);
      for (const [rel, e] of entries) {
        if (e.uid === 0 && (e.uid !== uid || e.gid !== gid)) {
          await lchown(join(this.config.root, tarName(this.abs(rel))), uid, gid).catch(() => undefined);
          e.uid = uid;
          e.gid = gid;
        }
      }
    }
    return entries;
  }

  async fetch(paths: string[]): Promise<void> {
    const tar = await this.client().fetch(paths.map((p) => this.abs(p)));
    await extractTar(this.config.root, tar, {
      chown: true,
      map: localHeaderMap(this.config),
      ownerOnly: this.spec.ownerOnly,
      // The volume's own path is a file when it is a subPath mount: the container mounts that file.
      replace: (name) => `/${name.replace(/\/+$/, "")}` !== this.spec.path.replace(/\/+$/, ""),
      onFailure: (path, err) =>
        this.onRefused(
          `/${relative(this.config.root, path)} could not be written locally (${whyNotWritten(err)}): the pod's change stays in the pod`,
        ),
    });
    this.counts.fromPod += paths.length;
  }

  async push(paths: string[]): Promise<Map<string, Entry | undefined>> {
    const tar = await packPaths(
      this.config.root,
      paths.map((p) => tarName(this.abs(p))),
      { recursive: false },
    );
    const result = await this.client().put(tar);
    for (const f of result.failed ?? [])
      this.onRefused(
        `${f.path} could not be written in the pod (${f.message}): the local change stays local`,
      );
    const refused = new Set((result.failed ?? []).map((f) => f.path));
    this.counts.toPod += paths.filter((p) => !refused.has(this.abs(p))).length;
    const out = new Map<string, Entry | undefined>();
    const prefix = this.spec.path.replace(/\/+$/, "");
    for (const [abs, wire] of result.entries) {
      const rel =
        abs === prefix ? "" : abs.startsWith(prefix + "/") ? abs.slice(prefix.length + 1) : undefined;
      if (rel !== undefined) out.set(rel, wire ? fromWire(wire) : undefined);
    }
    return out;
  }

  async removeLocal(paths: string[]): Promise<void> {
    // A volume's root is a mount point on both sides: emptied maybe, never removed.
    for (const p of paths.filter((p) => p !== ""))
      await rm(join(this.config.root, tarName(this.abs(p))), { recursive: true, force: true });
    this.counts.removed += paths.length;
  }

  async removeRemote(paths: string[]): Promise<void> {
    const targets = paths.filter((p) => p !== "").map((p) => this.abs(p));
    if (targets.length) await this.client().remove(targets);
    this.counts.removed += paths.length;
  }

  conflict(c: { path: string; kept: "local" | "pod" }): void {
    this.onConflict(this.abs(c.path), c.kept);
  }
}
