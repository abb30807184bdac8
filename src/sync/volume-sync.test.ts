import {
  chmod,
  mkdtemp,
  mkdir,
  readFile,
  readlink,
  rename,
  rm,
  stat,
  symlink,
  unlink,
  utimes,
  writeFile,
} from "node:fs/promises";
import { createServer as createHttp2Server, type Http2Server } from "node:http2";
import { connect, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addVolumeRoutes } from "./volume-routes.js";
import { serverOptions } from "../contract/tunnel-protocol.js";
import { TunnelClient } from "../tunnel/tunnel-client.js";
import { TunnelRouter } from "../tunnel/tunnel-router.js";
import { tarName } from "../contract/volume-protocol.js";
import { type HostCopyMarker, type VolumeStatus } from "../contract/volume-status.js";
import { writeHostCopyMarker } from "../volumes/host-copy.js";
import { nestedPaths, type VolumeSpec } from "../contract/volume-config.js";
import { VolumeSync } from "./volume-sync.js";
import { VolumeClient } from "./volume-client.js";
import { extractTar } from "./tar-io.js";
import { waitFor } from "../wait.js";

// Generous: these files run beside others on a loaded machine (the 5 s targets are e2e tests').
const until = <T>(what: string, probe: () => Promise<T | undefined>, ms = 15_000): Promise<T> =>
  waitFor(what, probe, { timeoutMs: ms, intervalMs: 50, retryErrors: true });

const read = (p: string) => readFile(p, "utf8");

/** A ConfigMap volume as the kubelet writes it: timestamped folder, ..data, key symlinks. */
async function writeConfigMap(dir: string, data: Record<string, string>, stamp: string): Promise<void> {
  await mkdir(join(dir, stamp), { recursive: true });
  for (const [k, v] of Object.entries(data)) await writeFile(join(dir, stamp, k), v, { mode: 0o644 });
  await symlink(stamp, join(dir, "..data_tmp"));
  await rename(join(dir, "..data_tmp"), join(dir, "..data"));
  for (const k of Object.keys(data)) await symlink(`..data/${k}`, join(dir, k)).catch(() => undefined);
}

// tp sessions make the first copy on the host (hostCopy: true); the sidecar alone can make it too.
describe.each([true, false])("volume sync over the tunnel (hostCopy: %s)", (hostCopy) => {
  let base: string;
  let pod: string;
  let local: string;
  let server: Server;
  let h2: Http2Server;
  let tunnel: TunnelClient | undefined;
  const events: VolumeStatus[] = [];

  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), "tp-volsync-"));
    pod = join(base, "pod");
    local = join(base, "local");
    await mkdir(local, { mode: 0o700 });
    await writeConfigMap(join(pod, "etc/config"), { "app.conf": "v=1\n", other: "x" }, "..2024_01_01");
    await mkdir(join(pod, "secrets/db"), { recursive: true });
    await writeFile(join(pod, "secrets/db/password"), "hunter2", { mode: 0o644 });
    await mkdir(join(pod, "data/sub"), { recursive: true });
    await chmod(join(pod, "data"), 0o777);
    await writeFile(join(pod, "data/sub/from-pod.txt"), "written in the pod");
    // The pod's volume mounts are folders under `pod` here.
    const router = addVolumeRoutes(
      new TunnelRouter(),
      () => undefined,
      async () => specs().map((v) => v.path),
    );
    h2 = createHttp2Server(serverOptions);
    h2.on("stream", (s, h) => router.handle(s, h));
    server = createServer((socket) => h2.emit("connection", socket));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  });

  const specs = (): VolumeSpec[] => [
    { path: join(pod, "etc/config"), name: "config", readOnly: true, ownerOnly: false, bounded: true },
    { path: join(pod, "secrets/db"), name: "db", readOnly: true, ownerOnly: true, bounded: true },
    { path: join(pod, "data"), name: "data", readOnly: false, ownerOnly: false, bounded: false },
  ];

  /**
   * The first copy as the CLI makes it (volumes/host-copy.ts) over a session of its own: the
   * listings and files in one answer, extracted into the session folder, then the marker.
   */
  async function copyAsTheCli(limitBytes: number): Promise<void> {
    const cli = new TunnelClient();
    const port = (server.address() as { port: number }).port;
    const session = cli.attach(connect(port, "127.0.0.1"));
    const volumes = specs();
    try {
      const started = Date.now();
      const { listings, tar } = await new VolumeClient(session).copy({
        volumes: volumes.map((v) => ({ path: v.path, exclude: nestedPaths(v, volumes) })),
        limitBytes,
      });
      for (const v of volumes) await mkdir(dirname(join(local, tarName(v.path))), { recursive: true });
      await extractTar(local, tar, { chown: false });
      // Written whole, then renamed, as the CLI does: the sidecar polls for it (a marker read while
      // half written once failed the first copy here, and the test waited for volumes-ready).
      const marker: HostCopyMarker = { ok: true, listings, started };
      await writeHostCopyMarker(local, marker);
    } finally {
      cli.close();
    }
  }

  async function startSync(limitBytes: number): Promise<VolumeSync> {
    tunnel = new TunnelClient();
    const uid = process.getuid?.() ?? 0;
    const gid = process.getgid?.() ?? 0;
    events.length = 0;
    const sync = new VolumeSync(
      tunnel,
      { root: local, uid, gid, limitBytes, rescanMs: 500, hostCopy, volumes: specs() },
      (s) => events.push(s),
      () => undefined,
    );
    sync.start();
    const port = (server.address() as { port: number }).port;
    tunnel.attach(connect(port, "127.0.0.1"));
    if (hostCopy) await copyAsTheCli(limitBytes);
    return sync;
  }

  afterEach(async () => {
    tunnel?.close();
    server.close();
    h2.close();
    await rm(base, { recursive: true, force: true });
  });

  const here = (p: string) => join(local, tarName(join(pod, p)));

  /** The first copy's end: volumes-ready, or at once the reason it failed. */
  const volumesReady = async () => {
    const end = await until("volumes-ready", async () =>
      events.find((e) => e.event === "volumes-ready" || e.event === "volumes-failed"),
    );
    if (end.event === "volumes-failed") throw new Error(`the first copy failed: ${end.message}`);
    return end;
  };

  it("copies every volume with its layout, then keeps both sides in step", async () => {
    // Over a megabyte in all: the first copy runs the system's tar on both sides.
    const big = Buffer.alloc(2 * 1024 * 1024, "tp");
    await writeFile(join(pod, "data/big.bin"), big);
    await startSync(1024 ** 3);
    await volumesReady();
    expect(await read(here("etc/config/app.conf"))).toBe("v=1\n");
    expect(await readlink(here("etc/config/..data"))).toBe("..2024_01_01");
    expect(await readlink(here("etc/config/app.conf"))).toBe("..data/app.conf");
    expect(await read(here("secrets/db/password"))).toBe("hunter2");
    expect((await stat(here("secrets/db/password"))).mode & 0o777).toBe(0o600);
    expect((await stat(here("secrets/db"))).mode & 0o777).toBe(0o700);
    expect((await stat(here("data"))).mode & 0o777).toBe(0o777);
    expect(await read(here("data/sub/from-pod.txt"))).toBe("written in the pod");
    expect((await readFile(here("data/big.bin"))).equals(big)).toBe(true);

    // The ConfigMap is edited: a new timestamped folder, ..data switched, the old one removed.
    await writeConfigMap(join(pod, "etc/config"), { "app.conf": "v=2\n", other: "x" }, "..2024_01_02");
    await rm(join(pod, "etc/config/..2024_01_01"), { recursive: true });
    await until("the new ConfigMap locally", async () =>
      (await read(here("etc/config/app.conf"))) === "v=2\n" ? true : undefined,
    );
    await until("the old folder gone", async () =>
      (await stat(here("etc/config/..2024_01_01")).catch(() => undefined)) ? undefined : true,
    );

    // Written locally into the writable volume: in the pod; removed locally: removed there.
    await mkdir(here("data/new"));
    await writeFile(here("data/new/local.txt"), "written locally");
    await until("the local file in the pod", async () =>
      (await read(join(pod, "data/new/local.txt"))) === "written locally" ? true : undefined,
    );
    await unlink(here("data/sub/from-pod.txt"));
    await until("the deletion in the pod", async () =>
      (await stat(join(pod, "data/sub/from-pod.txt")).catch(() => undefined)) ? undefined : true,
    );

    // Written in the pod: locally; removed in the pod: removed locally.
    await writeFile(join(pod, "data/sub/later.txt"), "later");
    await until("the pod's file locally", async () =>
      (await read(here("data/sub/later.txt"))) === "later" ? true : undefined,
    );
    await rm(join(pod, "data/new"), { recursive: true });
    await until("the pod's deletion locally", async () =>
      (await stat(here("data/new")).catch(() => undefined)) ? undefined : true,
    );
    expect(events.filter((e) => e.event === "volume-error")).toEqual([]);
  }, 30_000);

  it("does not write a read-only volume back to the pod", async () => {
    await startSync(1024 ** 3);
    await volumesReady();
    await writeFile(here("secrets/db/password"), "changed locally");
    // A change in the pod brings the volume in step (a round in which local changes could go out).
    await writeFile(join(pod, "secrets/db/rotated"), "new secret");
    await until("the pod's new file locally", async () =>
      (await read(here("secrets/db/rotated"))) === "new secret" ? true : undefined,
    );
    await writeFile(join(pod, "secrets/db/rotated"), "newer secret");
    await until("the pod's change locally", async () =>
      (await read(here("secrets/db/rotated"))) === "newer secret" ? true : undefined,
    );
    expect(await read(join(pod, "secrets/db/password"))).toBe("hunter2");
  });

  it("skips a volume over the limit and names it", async () => {
    await writeFile(join(pod, "data/big"), Buffer.alloc(4096));
    await startSync(1024);
    const ready = await volumesReady();
    expect(ready.event === "volumes-ready" && ready.skipped).toEqual([
      { path: join(pod, "data"), reason: "too-large", bytes: 4096 + 18 },
    ]);
    expect(await stat(here("data")).catch(() => undefined)).toBeUndefined();
    expect(await read(here("etc/config/app.conf"))).toBe("v=1\n");
  });

  it("hands the last local writes to the pod when flushed, without waiting for the watcher", async () => {
    const sync = await startSync(1024 ** 3);
    await volumesReady();
    await writeFile(here("data/last.txt"), "written just before the end");
    await unlink(here("data/sub/from-pod.txt"));
    await sync.flush();
    expect(await read(join(pod, "data/last.txt"))).toBe("written just before the end");
    expect(await stat(join(pod, "data/sub/from-pod.txt")).catch(() => undefined)).toBeUndefined();
  });

  it("keeps the newer write when both sides changed while apart, and reports it", async () => {
    await startSync(1024 ** 3);
    await volumesReady();
    // No session: both sides change the same file, the local write the later one.
    tunnel?.close();
    await until("the session closed", async () => (tunnel?.connected ? undefined : true));
    const t = Date.now() / 1000;
    await writeFile(join(pod, "data/sub/from-pod.txt"), "changed in the pod");
    await utimes(join(pod, "data/sub/from-pod.txt"), t - 60, t - 60);
    await writeFile(here("data/sub/from-pod.txt"), "changed locally, later");
    await utimes(here("data/sub/from-pod.txt"), t, t);
    // A new session lists everything again and reconciles.
    const port = (server.address() as { port: number }).port;
    tunnel?.attach(connect(port, "127.0.0.1"));
    await until("the local write in the pod", async () =>
      (await read(join(pod, "data/sub/from-pod.txt"))) === "changed locally, later" ? true : undefined,
    );
    expect(events).toContainEqual({
      event: "volume-conflict",
      path: join(pod, "data/sub/from-pod.txt"),
      kept: "local",
    });
  });

  it("lists small volumes and sends them in one answer, leaving out nested volumes", async () => {
    tunnel = new TunnelClient();
    const port = (server.address() as { port: number }).port;
    const session = tunnel.attach(connect(port, "127.0.0.1"));
    const config = join(pod, "etc/config");
    await mkdir(join(config, "nested"));
    await writeFile(join(config, "nested/inner.txt"), "another volume");
    const { listings, tar } = await new VolumeClient(session).copy({
      volumes: [
        { path: config, exclude: ["nested"] },
        { path: join(pod, "secrets/db"), exclude: [] },
        { path: join(pod, "missing"), exclude: [] },
      ],
      limitBytes: 1024 ** 2,
    });
    await extractTar(local, tar, { chown: false });
    expect(listings.map((l) => [l.path, l.skipped])).toEqual([
      [config, undefined],
      [join(pod, "secrets/db"), undefined],
      [join(pod, "missing"), "missing"],
    ]);
    expect(listings[0]?.entries?.map(([rel]) => rel)).not.toContain("nested");
    expect(await read(here("etc/config/app.conf"))).toBe("v=1\n");
    expect(await readlink(here("etc/config/..data"))).toBe("..2024_01_01");
    expect(await read(here("secrets/db/password"))).toBe("hunter2");
    expect(await stat(here("etc/config/nested")).catch(() => undefined)).toBeUndefined();
  });
});
