import { describe, expect, it } from "vitest";
import { hostProcessEnv } from "./host-env.js";
import { hostProcessSidecar } from "./host-local.js";

describe("hostProcessEnv", () => {
  it("puts the pod's env over the host's, the volumes root on the host, the preload first and the proxy variables", () => {
    const env = hostProcessEnv(
      { PATH: "/usr/bin", GREETING: "host", LD_PRELOAD: "/lib/other.so", TELEPRESENCE_ROOT: "/old" },
      { GREETING: "pod", TELEPRESENCE_ROOT: "/telepresence", TELEPRESENCE_METHOD: "container" },
      {
        proxyPort: 4321,
        preload: "/tmp/tp-1-host/libtp-preload.so",
        volumesFolder: "/tmp/v",
        neverProxy: ["10.1.0.0/16"],
        alsoProxy: ["10.1.2.3", "api.example"],
      },
    );
    expect(env).toMatchObject({
      PATH: "/usr/bin",
      GREETING: "pod",
      TELEPRESENCE_ROOT: "/tmp/v",
      TELEPRESENCE_METHOD: "inject-tcp",
      LD_PRELOAD: "/tmp/tp-1-host/libtp-preload.so /lib/other.so",
      TP_PRELOAD_PROXY: "127.0.0.1:4321",
      TP_PRELOAD_NEVER_PROXY: "10.1.0.0/16",
      TP_PRELOAD_ALSO_PROXY: "10.1.2.3",
      HTTP_PROXY: "http://127.0.0.1:4321",
      https_proxy: "http://127.0.0.1:4321",
      ALL_PROXY: "socks5h://127.0.0.1:4321",
      no_proxy: "localhost,127.0.0.1,::1,10.1.0.0/16",
    });
  });

  it("names the program's parent for the preload library, and never passes on a parent of the host's", () => {
    const options = { proxyPort: 1, preload: "/p.so", neverProxy: [], alsoProxy: [] };
    const inherited = { TP_PRELOAD_PARENT: "77:15" };
    expect(hostProcessEnv(inherited, {}, { ...options, parent: { pid: 4242, signal: 15 } })).toMatchObject({
      TP_PRELOAD_PARENT: "4242:15",
    });
    expect(hostProcessEnv(inherited, {}, options)).not.toHaveProperty("TP_PRELOAD_PARENT");
  });

  it("has no TELEPRESENCE_ROOT without volumes", () => {
    const env = hostProcessEnv(
      { TELEPRESENCE_ROOT: "/x" },
      { TELEPRESENCE_ROOT: "/telepresence" },
      {
        proxyPort: 1,
        preload: "/p.so",
        neverProxy: [],
        alsoProxy: [],
      },
    );
    expect(env["TELEPRESENCE_ROOT"]).toBeUndefined();
  });
});

describe("hostProcessSidecar", () => {
  it("sends each exposed port to the host's port through a port of the sidecar, and publishes the proxy on loopback", () => {
    const side = hostProcessSidecar(
      [
        { localPort: 3000, remotePort: 8080 },
        { localPort: 9090, remotePort: 9090 },
      ],
      [],
    );
    expect(side.config.expose).toEqual([
      { localPort: 40000, remotePort: 8080 },
      { localPort: 40001, remotePort: 9090 },
    ]);
    expect(side.config.containerToHost).toEqual([
      { containerPort: 40000, hostPort: 3000 },
      { containerPort: 40001, hostPort: 9090 },
    ]);
    expect(side.publish).toEqual(["127.0.0.1::1080/tcp"]);
  });
});
