import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openExecPipe } from "../../src/docker/open-sidecar-pipe.js";
import { serveHostForward, sidecarSockets } from "../../src/tunnel/index.js";
import { TunnelWorld } from "./tunnel-fixture.js";

/** --to-pod, --from-pod and --container-to-host, each carrying bytes both ways. */
describe("pod-local and host ports through the tunnel", () => {
  const world = new TunnelWorld();
  let hostServer: Server | undefined;
  let hostPort = 0;

  beforeAll(async () => {
    try {
      hostServer = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () =>
          res.end(`host got ${req.method} ${req.url} ${Buffer.concat(chunks).toString()}\n`),
        );
      });
      await new Promise<void>((resolve) => hostServer?.listen(0, "127.0.0.1", resolve));
      hostPort = (hostServer.address() as AddressInfo).port;
      await world.start({
        toPod: [5433],
        fromPod: [9090],
        containerToHost: [{ containerPort: 3000, hostPort }],
      });
      // A second container of the "pod": it shares the proxy's namespace, like a sidecar in a pod.
      await world.run("pod-neighbour", [
        "--network",
        `container:${world.proxy}`,
        "-e",
        "PORT=5433",
        "-e",
        "NAME=pod-neighbour",
        "tp-test-echo:local",
      ]);
      await world.run("local-server", [
        "--network",
        `container:${world.sidecar}`,
        "-e",
        "PORT=9090",
        "-e",
        "NAME=local",
        "tp-test-echo:local",
      ]);
      await world.connect();
      await world.waitForStatus("tunnel-up", 1);
      await world.waitForStatus("listening", 1);
      const hostEnd = await openExecPipe(
        world.docker,
        world.sidecar,
        ["tp-agent", "pipe", "--socket", sidecarSockets.host],
        { user: "0" },
      );
      void serveHostForward(hostEnd, [hostPort]);
    } catch (err) {
      await world.dispose();
      throw err;
    }
  });
  afterAll(async () => {
    try {
      await world.dispose();
    } finally {
      hostServer?.close();
    }
  });

  const post = (network: string, url: string) =>
    world.once(["--network", network, "tp-test-busybox:local", "wget", "-qO-", "--post-data", "ping", url]);

  it("to-pod: localhost:5433 in the user container reaches localhost:5433 in the pod", async () => {
    const r = await post(`container:${world.sidecar}`, "http://127.0.0.1:5433/to-pod");
    expect(JSON.parse(r.output)).toMatchObject({ name: "pod-neighbour", url: "/to-pod", body: "ping" });
  });

  it("from-pod: the pod's localhost:9090 reaches the user container's localhost:9090", async () => {
    const r = await post(`container:${world.proxy}`, "http://127.0.0.1:9090/from-pod");
    expect(JSON.parse(r.output)).toMatchObject({ name: "local", url: "/from-pod", body: "ping" });
  });

  it("from-pod ports listen on the pod's loopback only", async () => {
    const r = await world.once([
      "--network",
      world.name("cluster"),
      "tp-test-busybox:local",
      "wget",
      "-qO-",
      `http://${world.proxyIp}:9090/`,
    ]);
    expect(r.exitCode).not.toBe(0);
  });

  it("container-to-host: localhost:3000 in the user container reaches the host's 127.0.0.1", async () => {
    const r = await post(`container:${world.sidecar}`, "http://127.0.0.1:3000/to-host");
    expect(r.output).toContain("host got POST /to-host ping");
  });
});
