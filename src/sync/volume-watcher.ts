import { watch, type FSWatcher } from "chokidar";
import { basename, join } from "node:path";
import { isPartName } from "./sync-fs.js";
import { signature, toWire, type Entry, type WireEntry } from "./entry.js";
import { scanTree, type TreeScan } from "./tree-scan.js";
import type { Listing, WatchMessage, WatchVolume } from "../contract/volume-protocol.js";

/** How long change notifications are gathered before a volume is listed again. */
const settleMs = 100;
/** After the first listing, how long the watcher waits for a copy to begin before it starts. */
const quietMs = 500;

/**
 * A volume's entries as this process can copy them. A file it may not read is named (unreadable)
 * and left out: listed, it would be fetched in every round of sync, fail, and be made empty on the
 * other side.
 */
async function scanVolume(volume: WatchVolume): Promise<TreeScan> {
  const scan = await scanTree(volume.path, new Set(volume.exclude));
  for (const rel of scan.unreadable) if (scan.entries.get(rel)?.type === "file") scan.entries.delete(rel);
  return scan;
}

/** One listing of a volume: all its entries, or why it is skipped (missing, over the limit). */
export async function listVolume(
  volume: WatchVolume,
  limitBytes: number,
): Promise<{ listing: Listing; entries: Map<string, Entry> }> {
  const scan = await scanVolume(volume);
  const files = [...scan.entries.values()].filter((e) => e.type === "file").length;
  const skipped = scan.entries.size === 0 ? "missing" : scan.bytes > limitBytes ? "too-large" : undefined;
  const listing: Listing = {
    kind: "listing",
    path: volume.path,
    bytes: scan.bytes,
    files,
    unreadable: [...scan.unreadable],
  };
  if (skipped) return { listing: { ...listing, skipped }, entries: new Map() };
  return {
    listing: { ...listing, entries: [...scan.entries].map(([p, e]) => [p, toWire(e)]) },
    entries: scan.entries,
  };
}

/**
 * One volume in the pod, watched for one tunnel stream: lists it once (or reports it skipped),
 * then lists it again on each change notification (chokidar) and every `rescanMs` (for file
 * systems that do not notify), and sends what changed since the previous listing.
 */
export class VolumeWatcher {
  private last = new Map<string, Entry>();
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private interval: NodeJS.Timeout | undefined;
  private scanning: Promise<void> | undefined;
  private again = false;
  private closed = false;
  private deferred: NodeJS.Timeout | undefined;

  constructor(
    private readonly volume: WatchVolume,
    private readonly limitBytes: number,
    private readonly rescanMs: number,
    private readonly send: (message: WatchMessage) => void,
    /**
     * Whether a copy is being sent: the watcher then neither walks the volume (a synchronous walk
     * of thousands of files would hold up the copy's stream) nor starts chokidar's initial scan.
     * What changed meanwhile is found by the first listing after it.
     */
    private readonly busy: () => boolean = () => false,
  ) {}

  async start(): Promise<void> {
    const { path } = this.volume;
    const { listing, entries } = await listVolume(this.volume, this.limitBytes);
    this.send(listing);
    if (listing.skipped) return;
    this.last = entries;
    if (this.closed) return;
    const excluded = this.volume.exclude.map((rel) => join(path, rel));
    const startWatching = (): void => {
      if (this.closed) return;
      // A first copy starts right after the listing: give it a moment, then wait until it is done.
      if (this.busy() || Date.now() - listed < quietMs) {
        this.deferred = setTimeout(startWatching, 100);
        return;
      }
      this.watcher = watch(path, {
        ignoreInitial: true,
        followSymlinks: false,
        ignored: (p: string) =>
          isPartName(basename(p)) || excluded.some((x) => p === x || p.startsWith(x + "/")),
      });
      this.watcher.on("all", () => this.schedule());
      this.watcher.on("error", () => this.schedule());
      this.interval = setInterval(() => this.schedule(), this.rescanMs);
      // Changes made before the watch began.
      this.schedule();
    };
    const listed = Date.now();
    startWatching();
  }

  private schedule(): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.busy()) this.schedule();
      else void this.rescan();
    }, settleMs);
  }

  private async rescan(): Promise<void> {
    if (this.scanning) {
      this.again = true;
      return;
    }
    this.scanning = this.diff()
      .catch((err: unknown) =>
        this.send({ kind: "error", path: this.volume.path, message: (err as Error).message }),
      )
      .finally(() => (this.scanning = undefined));
    await this.scanning;
    if (this.again) {
      this.again = false;
      this.schedule();
    }
  }

  private async diff(): Promise<void> {
    const now = (await scanVolume(this.volume)).entries;
    if (this.closed) return;
    const changes: [string, WireEntry | null][] = [];
    for (const [p, e] of now) if (signature(this.last.get(p)) !== signature(e)) changes.push([p, toWire(e)]);
    for (const p of this.last.keys()) if (!now.has(p)) changes.push([p, null]);
    this.last = now;
    if (changes.length) this.send({ kind: "changes", path: this.volume.path, changes });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    clearTimeout(this.deferred);
    clearInterval(this.interval);
    await this.watcher?.close();
  }
}
