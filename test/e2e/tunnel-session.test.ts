import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TunnelWorld } from "./tunnel-fixture.js";

/**
 * The agent end to end with real containers: a proxy agent on a "cluster" network that only it,
 * an echo server and a DNS server share; a sidecar on another network; the user's programs in
 * containers joined to the sidecar's namespace. Only the tunnel (two docker exec pipes, as the
 * CLI joins them) connects the two sides.
 */
describe("tunnel between sidecar and proxy agent", () => {
  const world = new TunnelWorld();

  beforeAll(async () => {
    try {
      await world.start({ expose: [{ localPort: 9000, remotePort: 8081 }] });
      await world.connect();
      await world.waitForStatus("tunnel-up", 1);
    } catch (err) {
      await world.dispose();
      throw err;
    }
  });
  afterAll(async () => {
    await world.dispose();
  });

  it("TCP to a server only the cluster network reaches returns its bytes", async () => {
    const r = await world.once([
      "--network",
      `container:${world.sidecar}`,
      "tp-test-busybox:local",
      "wget",
      "-qO-",
      `http://${world.echoIp}:8080/by-ip`,
    ]);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.output)).toMatchObject({ name: "echo", url: "/by-ip" });
  });

  it("DNS goes to the cluster's resolver: search list, A, SRV, big answers, NXDOMAIN quickly", async () => {
    const out = JSON.parse(await world.client("dns")) as Record<
      string,
      { ok: boolean; value?: unknown; code?: string; ms: number }
    >;
    expect(out["short"]).toMatchObject({ ok: true, value: world.echoIp });
    expect(out["fqdn"]).toMatchObject({ ok: true, value: [world.echoIp] });
    expect(out["srv"]).toMatchObject({
      ok: true,
      value: [{ name: "echo.tp-test.svc.cluster.local", port: 8080, priority: 0, weight: 100 }],
    });
    expect(out["big"]).toMatchObject({ ok: true, value: 60 });
    expect(out["missing"]).toMatchObject({ ok: false, code: "ENOTFOUND" });
    expect(out["missing"]?.ms).toBeLessThan(1_000);
  });

  it("a name resolved in the cluster is reachable by name", async () => {
    const r = await world.once([
      "--network",
      `container:${world.sidecar}`,
      "tp-test-busybox:local",
      "wget",
      "-qO-",
      "http://echo.tp-test.svc.cluster.local:8080/by-name",
    ]);
    expect(r.output).toContain('"url":"/by-name"');
  });

  it("200 parallel connections of 1 MB each all arrive intact", async () => {
    const result = JSON.parse(
      await world.client("bulk", "200", String(1024 * 1024), `http://${world.echoIp}:8080`),
    ) as {
      intact: number;
      ms: number;
      mbPerSecond: number;
    };
    console.log(
      `200 x 1 MB through the tunnel (both ways): ${result.ms} ms, ${result.mbPerSecond.toFixed(1)} MB/s`,
    );
    expect(result.intact).toBe(200);
  });

  it("an exposed port of the proxy reaches a server on localhost in the joined namespace", async () => {
    await world.run("local-server", [
      "--network",
      `container:${world.sidecar}`,
      "-e",
      "PORT=9000",
      "-e",
      "NAME=local",
      "tp-test-echo:local",
    ]);
    await world.waitFor(world.name("local-server"), (l) => l.includes("listening"), "local server");
    const r = await world.once([
      "--network",
      world.name("cluster"),
      "tp-test-busybox:local",
      "wget",
      "-qO-",
      `http://${world.proxyIp}:8081/in`,
    ]);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.output)).toMatchObject({ name: "local", url: "/in" });
  });

  it("after the pipe drops: exposed ports refuse at once, connections fail fast, a new pipe resumes", async () => {
    world.disconnect();
    await world.waitForStatus("tunnel-down", 1);
    const inbound = await world.once([
      "--network",
      world.name("cluster"),
      "tp-test-busybox:local",
      "wget",
      "-qO-",
      `http://${world.proxyIp}:8081/`,
    ]);
    expect(inbound.exitCode).not.toBe(0);
    expect(inbound.output).toMatch(/refused/i);
    const outbound = await world.once([
      "--network",
      `container:${world.sidecar}`,
      "tp-test-busybox:local",
      "wget",
      "-qO-",
      "-T",
      "30",
      `http://${world.echoIp}:8080/`,
    ]);
    expect(outbound.exitCode).not.toBe(0);
    expect(outbound.ms).toBeLessThan(10_000);

    await world.connect();
    await world.waitForStatus("tunnel-up", 2);
    const again = await world.once([
      "--network",
      `container:${world.sidecar}`,
      "tp-test-busybox:local",
      "wget",
      "-qO-",
      `http://${world.echoIp}:8080/again`,
    ]);
    expect(again.output).toContain('"url":"/again"');
    const back = await world.once([
      "--network",
      world.name("cluster"),
      "tp-test-busybox:local",
      "wget",
      "-qO-",
      `http://${world.proxyIp}:8081/back`,
    ]);
    expect(back.output).toContain('"name":"local"');
  });
});
