import { watch, type FSWatcher } from "chokidar";
import { chmod, lchown, mkdir, readFile, rm } from "node:fs/promises";
import { availableParallelism } from "node:os";
import type { ClientHttp2Session, ClientHttp2Stream } from "node:http2";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import type { TunnelClient } from "../tunnel/tunnel-client.js";
import { fromWire, type Entry } from "./entry.js";
import { LocalVolumeIo, localHeaderMap } from "./local-volume-io.js";
import { fixOwnership } from "./owner-fixup.js";
import { extractWithTar, systemTar } from "./system-tar.js";
import { extractTar } from "./tar-io.js";
import { VolumeClient } from "./volume-client.js";
import { nestedPaths, type VolumeSpec, type VolumesConfig } from "./volume-config.js";
import { VolumeMirror } from "./volume-mirror.js";
import { joinPath, tarName, type WatchMessage } from "./volume-protocol.js";
import { hostCopyMarker, type VolumeStatus } from "./volume-status.js";

type Listing = Extract<WatchMessage, { kind: "listing" }>;

interface Volume {
  spec: VolumeSpec;
  io: LocalVolumeIo;
  mirror: VolumeMirror;
  active: boolean;
  queued: boolean;
}

const localSettleMs = 100;
/** Up to this many bytes, the first copy runs in process (tar-fs) on both sides. */
const smallCopyBytes = 1024 * 1024;

/**
 * The sidecar's side of volume sync. On the first tunnel session: list the pod's volumes, copy
 * them whole (one tar stream) into the session folder, report `volumes-ready`. From then on: the
 * pod's changes arrive on the watch stream, local changes are seen by chokidar (and a periodic
 * listing), and each volume's mirror brings both sides in step, one round at a time. A new
 * session (after a reconnect) lists everything again and reconciles, so nothing is lost.
 */
export class VolumeSync {
  private readonly volumes = new Map<string, Volume>();
  private client: VolumeClient | undefined;
  private watchStream: ClientHttp2Stream | undefined;
  private chain: Promise<void> = Promise.resolve();
  private ready = false;
  /** When the first listing was asked for: the copy's time counts from there. */
  private firstWatch: number | undefined;
  private readonly localWatchers: FSWatcher[] = [];
  private timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly tunnel: TunnelClient,
    private readonly config: VolumesConfig,
    private readonly emit: (status: VolumeStatus) => void,
    private readonly log: (message: string) => void,
  ) {
    for (const spec of config.volumes) {
      const io = new LocalVolumeIo(
        spec,
        config,
        () => this.currentClient(),
        (path, kept) => this.emit({ event: "volume-conflict", path, kept }),
      );
      this.volumes.set(spec.path, {
        spec,
        io,
        mirror: new VolumeMirror(!spec.readOnly, io),
        active: false,
        queued: false,
      });
    }
  }

  start(): void {
    this.tunnel.on("session", (session) => {
      this.onSession(session).catch((err: unknown) =>
        this.log(`volumes: watch did not start: ${(err as Error).message}`),
      );
    });
    setInterval(() => {
      for (const v of this.volumes.values()) if (v.active && !v.spec.readOnly) this.schedule(v);
    }, this.config.rescanMs).unref();
  }

  private currentClient(): VolumeClient {
    if (!this.client || this.client.session.closed || this.client.session.destroyed)
      throw new Error("no tunnel session");
    return this.client;
  }

  private enqueue(task: () => Promise<void>): void {
    this.chain = this.chain.then(task).catch((err: unknown) => {
      this.log(`volumes: ${(err as Error).message}`);
      // Before the first copy is done, a failure ends the wait of the CLI with its reason.
      if (!this.ready) this.emit({ event: "volumes-failed", message: (err as Error).message });
    });
  }

  private async onSession(session: ClientHttp2Session): Promise<void> {
    this.watchStream?.close();
    this.firstWatch ??= Date.now();
    const client = new VolumeClient(session);
    this.client = client;
    const stream = await client.watch({
      volumes: this.config.volumes.map((v) => ({
        path: v.path,
        exclude: nestedPaths(v, this.config.volumes),
      })),
      limitBytes: this.config.limitBytes,
      rescanMs: this.config.rescanMs,
    });
    this.watchStream = stream;
    const listings = new Map<string, Listing>();
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    lines.on("error", () => undefined);
    lines.on("line", (line) => {
      if (this.client !== client) return;
      const message = JSON.parse(line) as WatchMessage;
      const volume = this.volumes.get(message.path);
      if (message.kind === "error") {
        this.log(`volumes: in the pod, ${message.path}: ${message.message}`);
      } else if (message.kind === "listing" && volume) {
        listings.set(message.path, message);
        if (this.ready && volume.active) {
          volume.mirror.setRemote(entriesOf(message));
          this.schedule(volume);
        }
        if (!this.ready && listings.size === this.volumes.size) {
          const all = new Map(listings);
          for (const v of this.volumes.values())
            if (!all.get(v.spec.path)?.skipped) v.mirror.setRemote(entriesOf(all.get(v.spec.path)));
          this.enqueue(() => this.snapshot(client, all));
        }
      } else if (message.kind === "changes" && volume) {
        volume.mirror.applyRemote(message.changes.map(([p, w]) => [p, w ? fromWire(w) : undefined]));
        if (this.ready && volume.active) this.schedule(volume);
      }
    });
  }

  /** The first copy: every volume that is there and small enough, in one tar stream. */
  private async snapshot(client: VolumeClient, listings: Map<string, Listing>): Promise<void> {
    if (this.ready || this.client !== client) return;
    const started = this.firstWatch ?? Date.now();
    const copied = [...this.volumes.values()].filter((v) => !listings.get(v.spec.path)?.skipped);
    const skip: string[] = [];
    let total = 0;
    for (const v of copied) {
      const listing = listings.get(v.spec.path) as Listing;
      total += listing.bytes;
      skip.push(...listing.unreadable.map((rel) => joinPath(v.spec.path, rel)));
      skip.push(...nestedPaths(v.spec, this.config.volumes).map((rel) => joinPath(v.spec.path, rel)));
      await this.makeParents(v.spec.path);
      // The volume's own folder, before tar streams (one per share) write into it side by side:
      // they would otherwise race to create it.
      if (listing.entries?.find(([rel]) => rel === "")?.[1][0] === "dir")
        await mkdir(v.io.localPath, { recursive: true });
    }
    const listed = Date.now();
    if (copied.length) {
      // A few files are copied in process on both sides: a tar process costs more than it saves.
      const small = total <= smallCopyBytes;
      const system = small ? undefined : systemTar();
      const skipped = [...new Set(skip)];
      let bytes = 0;
      const progress = setInterval(() => this.emit({ event: "volumes-progress", bytes, total }), 250);
      try {
        if (system) {
          // Creating thousands of files is the slow part: several tar processes extract side by
          // side, each a share of the volumes' top-level entries.
          const ways = Math.max(1, Math.min(4, availableParallelism()));
          const shares = shareOut(copied, listings, new Set(skipped), ways);
          if (this.config.hostCopy) {
            // The CLI copies (fewer hops for every byte), then says so with a file.
            clearInterval(progress);
            this.emit({ event: "volumes-copy", shares, skip: skipped, total });
            await waitForHostCopy(this.config.root);
          } else {
            await Promise.all(
              shares.map(async (paths) => {
                const tar = await client.snapshot({ paths, skip: skipped });
                tar.on("data", (c: Buffer) => (bytes += c.length));
                await extractWithTar(system, this.config.root, tar);
              }),
            );
          }
          const fixStart = Date.now();
          for (const v of copied) {
            await restoreRoot(v.io.localPath, listings.get(v.spec.path));
            fixOwnership(v.io.localPath, this.config.uid, this.config.gid, v.spec.ownerOnly);
          }
          this.log(`volumes: owners and modes fixed in ${Date.now() - fixStart} ms`);
        } else {
          const tar = await client.snapshot({
            paths: copied.map((v) => v.spec.path),
            skip: skipped,
            inProcess: small,
          });
          tar.on("data", (c: Buffer) => (bytes += c.length));
          await extractTar(this.config.root, tar, { chown: true, map: localHeaderMap(this.config) });
        }
      } finally {
        clearInterval(progress);
      }
    }
    const extracted = Date.now();
    for (const v of copied) {
      const listing = new Map(entriesOf(listings.get(v.spec.path)));
      v.mirror.adopt(await v.io.scanLocal(), listing);
      v.active = true;
    }
    this.ready = true;
    this.log(
      `volumes: first copy: listing ${listed - started} ms, tar ${extracted - listed} ms, local scan ${Date.now() - extracted} ms`,
    );
    const all = [...listings.values()];
    this.emit({
      event: "volumes-ready",
      volumes: all.filter((l) => !l.skipped).map((l) => ({ path: l.path, bytes: l.bytes, files: l.files })),
      skipped: all
        .filter((l) => l.skipped)
        .map((l) => ({ path: l.path, reason: l.skipped ?? "missing", bytes: l.bytes })),
      unreadable: all
        .filter((l) => l.unreadable.length)
        .map((l) => ({ path: l.path, count: l.unreadable.length })),
      ms: Date.now() - started,
    });
    for (const v of copied) {
      if (!v.spec.readOnly) this.watchLocal(v);
      this.schedule(v);
    }
  }

  /** The folders above a mount path, owned by the host user (so that it can remove them). */
  private async makeParents(mountPath: string): Promise<void> {
    const parts = tarName(dirname(mountPath)).split("/").filter(Boolean);
    let dir = this.config.root;
    for (const part of parts) {
      dir = join(dir, part);
      await mkdir(dir, { mode: 0o755 }).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== "EEXIST") throw err;
      });
      await lchown(dir, this.config.uid, this.config.gid);
    }
  }

  private watchLocal(v: Volume): void {
    const watcher = watch(v.io.localPath, { ignoreInitial: true, followSymlinks: false });
    watcher.on("all", () => {
      if (this.timers.has(v.spec.path)) return;
      this.timers.set(
        v.spec.path,
        setTimeout(() => {
          this.timers.delete(v.spec.path);
          this.schedule(v);
        }, localSettleMs),
      );
    });
    watcher.on("error", (err) => this.log(`volumes: watching ${v.io.localPath}: ${String(err)}`));
    this.localWatchers.push(watcher);
  }

  /**
   * At the end of a session: one last round for every writable volume (local writes of the last
   * moment included, without waiting for the watcher's settle time), within `timeoutMs`.
   */
  async flush(timeoutMs = 3_000): Promise<void> {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.all(this.localWatchers.map((w) => w.close().catch(() => undefined)));
    if (!this.ready || !this.tunnel.connected) return;
    for (const v of this.volumes.values()) {
      // A round already queued may have read the folder before the last writes: queue another.
      v.queued = false;
      if (v.active && !v.spec.readOnly) this.schedule(v);
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.chain, new Promise((r) => (timer = setTimeout(r, timeoutMs)))]).finally(() =>
      clearTimeout(timer),
    );
  }

  /** One round for a volume, after the rounds already queued (at most one waits per volume). */
  private schedule(v: Volume): void {
    if (v.queued || !v.active) return;
    v.queued = true;
    this.enqueue(async () => {
      v.queued = false;
      if (!this.tunnel.connected) return;
      v.io.counts = { fromPod: 0, toPod: 0, removed: 0 };
      try {
        await v.mirror.reconcile();
      } catch (err) {
        this.emit({ event: "volume-error", path: v.spec.path, message: (err as Error).message });
      }
      const c = v.io.counts;
      if (c.fromPod || c.toPod || c.removed) this.emit({ event: "volume-synced", path: v.spec.path, ...c });
    });
  }
}

function entriesOf(listing: Listing | undefined): [string, Entry][] {
  return (listing?.entries ?? []).map(([p, w]) => [p, fromWire(w)]);
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
    const root = entries.find(([rel]) => rel === "");
    if (root && root[1][0] !== "dir") {
      // A single file (a subPath mount): copied whole.
      weights.set(v.spec.path, root[1][2] + 512);
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

/**
 * A volume's own folder as the pod has it (its mode), also when it is empty: copied in shares,
 * the folder itself is in none of them.
 */
async function restoreRoot(localPath: string, listing: Listing | undefined): Promise<void> {
  const root = listing?.entries?.find(([rel]) => rel === "");
  if (!root || root[1][0] !== "dir") return;
  await mkdir(localPath, { recursive: true });
  await chmod(localPath, root[1][1] & 0o7777);
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
