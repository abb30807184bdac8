import { createSocket } from "node:dgram";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { forwardUdp } from "./udp-forwarder.js";

describe("the userspace proxy's UDP forwarding", () => {
  it("forwards and answers, and a session's idle timer after close does not crash the node", async () => {
    const backend = createSocket("udp4");
    backend.on("message", (m, r) => backend.send(m, r.port, r.address));
    await new Promise<void>((r) => backend.bind(0, "127.0.0.1", r));
    const target = { ip: "127.0.0.1", port: (backend.address() as AddressInfo).port };
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const forwarder = await forwardUdp("127.0.0.1", port, () => target, 50);
    const client = createSocket("udp4");
    try {
      const reply = new Promise<string>((r) => client.once("message", (m) => r(m.toString())));
      client.send("ping", port, "127.0.0.1");
      expect(await reply).toBe("ping");
      forwarder.close();
      // Past the idle time: a timer left behind would close a closed socket and throw.
      await new Promise((r) => setTimeout(r, 150));
    } finally {
      client.close();
      backend.close();
    }
  });
});
