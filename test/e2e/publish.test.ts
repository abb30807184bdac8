import { execa } from "execa";
import { createServer, type AddressInfo, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNamespace, kubectl, requireCluster } from "./support/cluster.js";
import { RunningTp, runTp } from "./support/tp.js";

let ns: Awaited<ReturnType<typeof createNamespace>>;

beforeAll(async () => {
  requireCluster();
  ns = await createNamespace("tp-publish");
}, 60_000);

afterAll(async () => {
  await ns?.remove();
});

/** A port free on this machine right now. */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** What Docker publishes for a running sidecar: "PORT/proto" -> ["IP:HOSTPORT", ...]. */
async function published(sidecar: string): Promise<Record<string, string[]>> {
  const r = await execa("docker", ["inspect", "-f", "{{json .NetworkSettings.Ports}}", sidecar]);
  const ports = JSON.parse(r.stdout) as Record<string, { HostIp: string; HostPort: string }[] | null>;
  return Object.fromEntries(
    Object.entries(ports).map(([k, v]) => [k, (v ?? []).map((b) => `${b.HostIp}:${b.HostPort}`).sort()]),
  );
}

/** The session's sidecar, from the proxy pod's name tp printed (tp-<session>). */
async function sidecarOf(stderr: string): Promise<string> {
  const id = /proxy pod (?:\S+\/)?tp-([0-9a-f]{8})/.exec(stderr)?.[1];
  if (!id) throw new Error(`no session in tp's output:\n${stderr}`);
  return `tp-${id}-sidecar`;
}

async function get(host: string, port: number): Promise<string> {
  const r = await execa("wget", ["-qO-", "-T", "3", `http://${host}:${port}/x`], { reject: false });
  return r.exitCode === 0 ? r.stdout.trim() : `failed (${r.exitCode})`;
}

describe("-p publishes as docker run -p does", () => {
  it("a host port in use is named before anything is created in the cluster", async () => {
    const server: Server = createServer();
    await new Promise<void>((r) => server.listen(0, "0.0.0.0", r));
    const port = (server.address() as AddressInfo).port;
    try {
      const r = await runTp([
        "docker-run",
        "-n",
        ns.name,
        "--",
        "-p",
        `${port}:8080`,
        "tp-test-busybox:local",
        "true",
      ]);
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`host port 0\\.0\\.0\\.0:${port}/tcp is already in use`));
      expect(r.stderr).not.toMatch(/proxy pod|lease/);
      const left = await kubectl(["get", "pods,leases", "-n", ns.name, "-o", "name"]);
      expect(left).toBe("");
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
  it(
    "HOSTPORT:PORT on every address at that port, IP:HOSTPORT:PORT on that address only",
    { timeout: 180_000 },
    async () => {
      const [everywhere, loopback] = [await freePort(), await freePort()];
      const tp = new RunningTp([
        "docker-run",
        "-n",
        ns.name,
        "--",
        "-p",
        `${everywhere}:8080`,
        "-p",
        `127.0.0.1:${loopback}:8081`,
        "tp-test-busybox:local",
        "sh",
        "-c",
        "mkdir /w && echo hi > /w/x && httpd -p 8080 -h /w && httpd -p 8081 -h /w && echo serving && sleep 600",
      ]);
      try {
        await tp.waitFor(/serving/, 90_000);
        const ports = await published(await sidecarOf(tp.stderr));
        // Every address (IPv4, and IPv6 where the engine has it) at the port asked for; loopback only.
        expect(ports["8080/tcp"]?.filter((b) => b.startsWith("0.0.0.0:"))).toEqual([`0.0.0.0:${everywhere}`]);
        expect(ports["8080/tcp"]?.every((b) => b.endsWith(`:${everywhere}`))).toBe(true);
        expect(ports["8081/tcp"]).toEqual([`127.0.0.1:${loopback}`]);
        expect(await get("127.0.0.1", everywhere)).toBe("hi");
        expect(await get("127.0.0.1", loopback)).toBe("hi");
      } finally {
        await tp.kill();
      }
    },
  );
});
