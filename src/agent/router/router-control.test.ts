import { once } from "node:events";
import { connect } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { quiet } from "./router-agent.js";
import { freePort, hosts, registerSession, startTestRouter, until, type Fixture } from "./testing.js";

let fixture: Fixture | undefined;
afterEach(async () => {
  await fixture?.router.close();
  fixture = undefined;
});

async function setUp() {
  fixture = await startTestRouter(await freePort(), await freePort());
  return fixture;
}

describe("the router's control port", () => {
  it("refuses a second session with the same filter, whatever the case of its header names", async () => {
    const f = await setUp();
    const first = await registerSession(f, "s1", hosts.alice, { headers: { "x-user": "alice" } });
    expect(first.answer).toEqual({ type: "registered" });
    const second = await registerSession(f, "s2", hosts.bob, { headers: { "x-user": "alice" } });
    expect(second.answer).toMatchObject({ type: "refused", reason: expect.stringContaining("session s1") });
    await once(second.socket, "close");
    expect(f.router.rules.size).toBe(1);
    expect((await registerSession(f, "s3", hosts.bob, { headers: { "x-user": "bob" } })).answer.type).toBe(
      "registered",
    );
  });

  it("lets a session register again (its proxy reconnected), replacing its rule", async () => {
    const f = await setUp();
    const old = await registerSession(f, "s1", hosts.alice, { headers: { "x-user": "alice" } });
    const again = await registerSession(f, "s1", hosts.bob, { headers: { "x-user": "alice" } });
    expect(again.answer.type).toBe("registered");
    await once(old.socket, "close");
    expect(f.router.rules.route({ header: () => "alice", path: "/" }).primary?.target).toBe(hosts.bob);
  });

  it("says which port it cannot listen on", async () => {
    const f = await setUp();
    await expect(startTestRouter(f.port, await freePort())).rejects.toThrow(
      `router: cannot listen on port ${f.port}: listen EADDRINUSE`,
    );
  });

  it("removes the rule when the connection closes", async () => {
    const f = await setUp();
    const session = await registerSession(f, "s1", hosts.alice, { headers: {} });
    expect(f.router.rules.size).toBe(1);
    session.close();
    await until(() => f.router.rules.size === 0);
  });

  it("closes a connection that sends something else than the protocol, registering nothing", async () => {
    const f = await setUp();
    const socket = connect(f.controlPort, hosts.router);
    socket.write('{"type":"register","sessionId":"s1"}\n');
    await once(socket, "close");
    expect(f.router.rules.size).toBe(0);
    const long = connect(f.controlPort, hosts.router);
    long.on("error", () => undefined);
    long.write("x".repeat(100_000));
    await once(long, "close");
  });
});

describe("the router's traffic log", () => {
  it("says a line once a minute, counting the repeats", () => {
    const lines: string[] = [];
    let now = 0;
    const spy = vi.spyOn(Date, "now").mockImplementation(() => now);
    try {
      const log = quiet((m) => lines.push(m));
      log("a: refused");
      log("a: refused");
      log("b: refused");
      log("a: refused");
      now = 60_000;
      log("a: refused");
      expect(lines).toEqual(["a: refused", "b: refused", "a: refused (and 2 times more)"]);
    } finally {
      spy.mockRestore();
    }
  });
});
