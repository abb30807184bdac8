import { createServer, type Server } from "node:net";
import { execFileSync } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { dial } from "./dial.js";

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A server on `host` that answers each connection with `reply` and ends it; its port. */
function serve(host: string, reply: string, port = 0): Promise<number> {
  const server = createServer((s) => s.end(reply));
  servers.push(server);
  return new Promise((done, fail) => {
    server.once("error", fail);
    server.listen(port, host, () => done((server.address() as { port: number }).port));
  });
}

function dialled(host: string, port: number): Promise<string> {
  return new Promise((done, fail) =>
    dial(host, port, (err, socket) => {
      if (err || !socket) return fail(err);
      let text = "";
      socket.setEncoding("utf8").on("data", (d: string) => (text += d));
      socket.once("end", () => done(text));
    }),
  );
}

/** Whether this machine's loopback has an IPv6 address (a kernel may have IPv6 off). */
const ipv6 = (() => {
  try {
    execFileSync(process.execPath, [
      "-e",
      "require('net').createServer().listen(0,'::1',function(){this.close()})",
    ]);
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!ipv6)("dial", () => {
  it("reaches a program listening on the IPv6 loopback only, for 127.0.0.1 and localhost", async () => {
    const port = await serve("::1", "v6");
    expect(await dialled("127.0.0.1", port)).toBe("v6");
    expect(await dialled("localhost", port)).toBe("v6");
  });

  it("prefers 127.0.0.1 where both listen", async () => {
    const port = await serve("127.0.0.1", "v4");
    await serve("::1", "v6", port);
    expect(await dialled("127.0.0.1", port)).toBe("v4");
  });

  it("tries ::1 only for the loopback's names", async () => {
    const port = await serve("::1", "v6");
    await expect(dialled("127.0.0.2", port)).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });

  it("calls nothing once cancelled", async () => {
    const port = await serve("::1", "v6");
    let called = false;
    const cancel = dial("127.0.0.1", port, () => (called = true));
    cancel();
    await new Promise((r) => setTimeout(r, 100));
    expect(called).toBe(false);
  });
});

// With IPv6 off too: the refusal said is 127.0.0.1's, not what ::1 answered.
it("says refused where nothing listens on either loopback", async () => {
  const closed = await serve("127.0.0.1", "");
  servers.pop()?.close();
  await expect(dialled("127.0.0.1", closed)).rejects.toMatchObject({ code: "ECONNREFUSED" });
});
