import { connect as connectH2 } from "node:http2";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir, type NetworkInterfaceInfo } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { freePort, hosts, startTestRouter, until, type Fixture } from "../router/testing.js";
import { startRouter } from "../router/router-agent.js";
import { startProxyAgent } from "./proxy-agent.js";
import { podIp, startRouterRegistration, type RegistrationClient } from "./router-registration.js";

let fixture: Fixture | undefined;
let client: RegistrationClient | undefined;
afterEach(async () => {
  client?.close();
  await fixture?.router.close();
  fixture = undefined;
});

const request = { header: (n: string) => (n === "x-user" ? "alice" : undefined), path: "/" };

function register(f: Fixture, logs: string[], tunnelUp = true) {
  return startRouterRegistration({
    registration: {
      router: { host: hosts.router, port: f.controlPort },
      sessionId: "s1",
      filter: { headers: { "x-user": "alice" } },
      mirror: false,
    },
    targetHost: hosts.alice,
    tunnelUp,
    log: (m) => logs.push(m),
    minBackoffMs: 20,
    maxBackoffMs: 100,
  });
}

describe("the proxy's registration with the router", () => {
  it("registers the session's rule and reports its tunnel going down and up", async () => {
    const f = (fixture = await startTestRouter(await freePort(), await freePort()));
    const logs: string[] = [];
    client = register(f, logs, false);
    await until(() => f.router.rules.size === 1);
    expect(f.router.rules.route(request).primary).toBeUndefined();
    // Logged once the router's answer is read, which may come after the rule is in place.
    await until(() => logs.includes(`registered with router ${hosts.router}:${f.controlPort} (tunnel down)`));
    client.setTunnel(true);
    await until(() => f.router.rules.route(request).primary?.target === hosts.alice);
    client.setTunnel(false);
    await until(() => f.router.rules.route(request).primary === undefined);
    expect(logs).toContain(`registered with router ${hosts.router}:${f.controlPort} (tunnel down)`);
  });

  it("registers again, with the tunnel's state, when the router comes back", async () => {
    const port = await freePort();
    const upstreamPort = await freePort();
    const f = (fixture = await startTestRouter(port, upstreamPort));
    const logs: string[] = [];
    client = register(f, logs);
    await until(() => f.router.rules.size === 1);
    await f.router.close();
    const again = await startRouter({
      config: {
        service: "web",
        namespace: "test",
        controlPort: f.controlPort,
        ports: [{ port, upstream: { host: hosts.upstream, port: upstreamPort }, http: "auto" }],
      },
      host: hosts.router,
      log: () => undefined,
    });
    fixture = { ...f, router: again };
    await until(() => again.rules.route(request).primary?.target === hosts.alice);
  });

  it("stops when closed: the router forgets the rule", async () => {
    const f = (fixture = await startTestRouter(await freePort(), await freePort()));
    client = register(f, []);
    await until(() => f.router.rules.size === 1);
    client.close();
    await until(() => f.router.rules.size === 0);
    await new Promise((r) => setTimeout(r, 150));
    expect(f.router.rules.size).toBe(0);
  });

  it("takes the pod's IP from TP_POD_IP, else from its first interface that is not loopback", () => {
    const nic = (address: string, internal: boolean, family: "IPv4" | "IPv6" = "IPv4") =>
      ({ address, internal, family, netmask: "", mac: "", cidr: null, scopeid: 0 }) as NetworkInterfaceInfo;
    const interfaces = {
      lo: [nic("127.0.0.1", true)],
      eth0: [nic("fe80::1", false, "IPv6"), nic("10.1.2.3", false)],
    };
    expect(podIp({ TP_POD_IP: "10.9.9.9" }, interfaces)).toBe("10.9.9.9");
    expect(podIp({ TP_POD_IP: "not an ip" }, interfaces)).toBe("10.1.2.3");
    expect(podIp({}, interfaces)).toBe("10.1.2.3");
  });
});

describe("the proxy agent", () => {
  it("says when a session's tunnel comes and goes, and its readiness answer follows", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tp-proxy-"));
    const events: boolean[] = [];
    const tunnelPort = await freePort();
    const readinessPort = await freePort();
    const agent = await startProxyAgent({
      tunnelPort,
      readinessPort,
      readyFile: join(dir, "ready"),
      resolvConfPath: join(dir, "resolv.conf"),
      log: () => undefined,
      onTunnel: (up) => events.push(up),
    });
    try {
      const session = connectH2(`http://127.0.0.1:${tunnelPort}`);
      const stream = session.request({ ":method": "POST", ":path": "/nowhere" }, { endStream: true });
      stream.resume();
      await until(() => events.length === 1);
      expect(events).toEqual([true]);
      // The readiness probe's answer follows the session.
      const probe = async () => (await fetch(`http://127.0.0.1:${readinessPort}/ready`)).status;
      expect(await probe()).toBe(200);
      session.destroy();
      await until(() => events.length === 2);
      expect(events).toEqual([true, false]);
      expect(await probe()).toBe(503);
    } finally {
      await agent.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
