import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttp2Server } from "node:http2";
import { connect, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import * as tarFs from "tar-fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { serverOptions } from "../contract/tunnel-protocol.js";
import { TunnelClient } from "../tunnel/tunnel-client.js";
import { TunnelRouter } from "../tunnel/tunnel-router.js";
import { VolumeClient } from "./volume-client.js";
import { addVolumeRoutes, volumeMountsIn } from "./volume-routes.js";

describe("the proxy's volume routes", () => {
  let base = "";
  let volume = "";
  let outside = "";
  let server: Server;
  let cli: TunnelClient;
  let client: VolumeClient;

  beforeEach(async () => {
    base = mkdtempSync(join(tmpdir(), "tp-volroutes-"));
    volume = join(base, "volume");
    outside = join(base, "outside");
    mkdirSync(volume);
    mkdirSync(outside);
    writeFileSync(join(volume, "in.txt"), "in a volume");
    writeFileSync(join(outside, "precious.txt"), "not a volume");
    const router = addVolumeRoutes(
      new TunnelRouter(),
      () => undefined,
      async () => [volume],
    );
    const h2 = createHttp2Server(serverOptions);
    h2.on("stream", (s, h) => router.handle(s, h));
    server = createServer((socket) => h2.emit("connection", socket));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    cli = new TunnelClient();
    client = new VolumeClient(cli.attach(connect((server.address() as { port: number }).port, "127.0.0.1")));
  });

  afterEach(() => {
    cli.close();
    server.close();
    rmSync(base, { recursive: true, force: true });
  });

  it("delete only inside the pod's volume mounts", async () => {
    await expect(client.remove([join(outside, "precious.txt")])).rejects.toThrow(/not inside a volume/);
    expect(existsSync(join(outside, "precious.txt"))).toBe(true);
    await client.remove([join(volume, "in.txt")]);
    expect(existsSync(join(volume, "in.txt"))).toBe(false);
  });

  it("read only inside them", async () => {
    await expect(client.fetch(["/etc/passwd"])).rejects.toThrow(/not inside a volume/);
  });

  it("write only inside them", async () => {
    // A tar whose entries name a file outside the volume and one inside it.
    const staging = join(base, "staging");
    mkdirSync(staging);
    writeFileSync(join(staging, "planted.txt"), "x");
    writeFileSync(join(staging, "new.txt"), "y");
    const target = { "planted.txt": join(outside, "planted.txt"), "new.txt": join(volume, "new.txt") };
    const pack = tarFs.pack(staging, {
      entries: Object.keys(target),
      map: (h) => ({ ...h, name: target[h.name as keyof typeof target].slice(1) }),
    });
    await client.put(pack as unknown as Readable);
    expect(existsSync(join(outside, "planted.txt"))).toBe(false);
    expect(readFileSync(join(volume, "new.txt"), "utf8")).toBe("y");
  });

  it("the mounts are read from mountinfo, without the runtime's own files", () => {
    const mountinfo = [
      "1 0 0:1 / / rw - overlay overlay rw",
      "2 1 0:2 / /proc rw - proc proc rw",
      "3 1 0:3 / /etc/hosts rw - ext4 /dev/sda1 rw",
      "4 1 0:3 / /etc/resolv.conf rw - ext4 /dev/sda1 rw",
      "5 1 0:4 / /etc/config ro - tmpfs tmpfs rw",
      "6 1 0:5 / /var/run/secrets/kubernetes.io/serviceaccount ro - tmpfs tmpfs rw",
      "7 1 0:6 / /data\\040dir rw - ext4 /dev/sda1 rw",
      "8 1 0:7 / /dev/shm rw - tmpfs shm rw",
    ].join("\n");
    expect(volumeMountsIn(mountinfo)).toEqual([
      "/etc/config",
      "/var/run/secrets/kubernetes.io/serviceaccount",
      "/data dir",
    ]);
  });
});
