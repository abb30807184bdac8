import { watch, type FSWatcher } from "chokidar";
import type { ClientHttp2Session, ClientHttp2Stream } from "node:http2";
import { basename } from "node:path";
import { onLines } from "../line-splitter.js";
import type { TunnelClient } from "../tunnel/tunnel-client.js";
import { fromWire, type Entry } from "./entry.js";
import { LocalVolumeIo } from "./local-volume-io.js";
import { copyFirst, fixCopied, makeParents, waitForHostCopy } from "./first-copy.js";
import { VolumeClient } from "./volume-client.js";
import { isPartName } from "./sync-fs.js";
import { nestedPaths, type VolumeSpec, type VolumesConfig } from "../contract/volume-config.js";
import { VolumeMirror } from "./volume-mirror.js";
import { joinPath, watchMessage, type Listing } from "../contract/volume-protocol.js";
import { readJsonLine } from "../contract/message.js";
import type { VolumeStatus } from "../contract/volume-status.js";

interface Volume {
  spec: VolumeSpec;
  io: LocalVolumeIo;
  mirror: VolumeMirror;
  active: boolean;
  queued: boolean;
}

const localSettleMs = 100;

/**
 * The sidecar's side of volume sync. The first copy: with `hostCopy` (tp sessions) the CLI makes
 * it and leaves a marker with the listings it was made from (see host-copy.ts); else, on the
 * first tunnel session, the pod's volumes are listed and copied whole from here. Either way the
 * owners and modes are put right and `volumes-ready` is reported. From then on: the
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
  /** With the CLI's first copy: resolves once it is adopted (the watch starts after it). */
  private hostCopied: Promise<void> = Promise.resolve();

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
        (message) => this.emit({ event: "volume-error", path: spec.path, message }),
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
    if (this.config.hostCopy) {
      let adopted: () => void = () => undefined;
      this.hostCopied = new Promise((resolve) => (adopted = resolve));
      this.enqueue(async () => {
        await this.adoptHostCopy();
        adopted();
      });
    }
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
    // The CLI's first copy comes with the listing it was made from; the watch's own first
    // listing, made after it, then shows what changed since.
    await this.hostCopied;
    if (this.client !== client) return;
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
    // A line is one volume's listing: large for a large volume, never without bound.
    onLines(stream, 256 * 1024 * 1024, (line) => {
      if (this.client !== client) return;
      const read = readJsonLine(watchMessage, line);
      if ("refused" in read) return this.log(`volumes: skipped a line of the watch (${read.refused})`);
      const message = read.message;
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

  /** The first copy: every volume that is there and small enough (see first-copy.ts). */
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
      await makeParents(this.config, v.spec.path);
    }
    const listed = Date.now();
    if (copied.length)
      await copyFirst({
        client,
        config: this.config,
        volumes: copied,
        listings,
        skip: [...new Set(skip)],
        total,
        emit: this.emit,
      });
    const extracted = Date.now();
    const scanned = await this.adopt(copied, listings, started);
    this.log(
      `volumes: first copy: listing ${listed - started} ms, tar ${extracted - listed} ms, local scan ${scanned} ms`,
    );
  }

  /** The first copy made by the CLI (see host-copy.ts): its marker, then owners and modes. */
  private async adoptHostCopy(): Promise<void> {
    const marker = await waitForHostCopy(this.config.root);
    if (!marker.ok) throw new Error(marker.message);
    const copiedAt = Date.now();
    const listings = new Map(marker.listings.map((l) => [l.path, l]));
    const copied = [...this.volumes.values()].filter(
      (v) => listings.has(v.spec.path) && !listings.get(v.spec.path)?.skipped,
    );
    for (const v of copied) {
      await makeParents(this.config, v.spec.path);
      // What the pod had, until the watch (started after this) says more.
      v.mirror.setRemote(entriesOf(listings.get(v.spec.path)));
    }
    await fixCopied(this.config, copied, listings);
    const fixed = Date.now();
    const scanned = await this.adopt(copied, listings, marker.started);
    this.log(
      `volumes: first copy by the CLI: ${copiedAt - marker.started} ms, owners and modes ${fixed - copiedAt} ms, local scan ${scanned} ms`,
    );
  }

  /**
   * The copied volumes are in step as of `listings`: sync starts from there, the CLI is told
   * (volumes-ready, with the time since `started`). Returns how long the local scan took.
   */
  private async adopt(copied: Volume[], listings: Map<string, Listing>, started: number): Promise<number> {
    const scanStart = Date.now();
    for (const v of copied) {
      const listing = new Map(entriesOf(listings.get(v.spec.path)));
      v.mirror.adopt(await v.io.scanLocal(), listing);
      v.active = true;
    }
    const scanned = Date.now() - scanStart;
    this.ready = true;
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
    return scanned;
  }

  private watchLocal(v: Volume): void {
    const watcher = watch(v.io.localPath, {
      ignoreInitial: true,
      followSymlinks: false,
      ignored: (p: string) => isPartName(basename(p)),
    });
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
