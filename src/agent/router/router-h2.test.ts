import { connect, type ClientHttp2Session } from "node:http2";
import { describe, expect, it } from "vitest";
import {
  h2Server,
  hosts,
  registerSession,
  routerTestScope,
  startBehindRouter,
  stopServer,
  until,
  type Seen,
} from "./testing.js";

const scope = routerTestScope();
let client: ClientHttp2Session | undefined;

async function setUp(seen: Seen) {
  const f = await startBehindRouter(scope, (name, host, port) => h2Server(name, host, port, seen), ["alice"]);
  client = connect(`http://${hosts.router}:${f.port}`);
  scope.cleanups.push(() => client?.destroy());
  return f;
}

/** One stream of the one client connection: its answer and its trailers. */
function call(path: string, headers: Record<string, string> = {}, body?: string) {
  return new Promise<{ text: string; trailer: unknown }>((resolve, reject) => {
    const stream = client!.request(
      { ":path": path, ":method": body ? "POST" : "GET", ...headers },
      {
        endStream: body === undefined,
      },
    );
    let text = "";
    let trailer: unknown;
    stream.on("data", (c: Buffer) => (text += c.toString()));
    stream.on("trailers", (t) => (trailer = t["x-status"]));
    stream.on("end", () => resolve({ text, trailer }));
    stream.on("error", reject);
    if (body !== undefined) stream.end(body);
  });
}

describe("the router, for h2c", () => {
  it("routes each stream of one connection on its own, trailers included", async () => {
    const f = await setUp([]);
    await registerSession(f, "s1", hosts.alice, { headers: { "x-user": "alice" } });
    const answers = await Promise.all([
      call("/pkg.Svc/A", { "x-user": "alice" }, "req"),
      call("/pkg.Svc/B", {}, "req"),
      call("/pkg.Svc/C", { "x-user": "alice" }),
      call("/pkg.Svc/D", { "x-user": "bob" }),
    ]);
    expect(answers).toEqual([
      { text: "alice: /pkg.Svc/A", trailer: "alice" },
      { text: "upstream: /pkg.Svc/B", trailer: "upstream" },
      { text: "alice: /pkg.Svc/C", trailer: "alice" },
      { text: "upstream: /pkg.Svc/D", trailer: "upstream" },
    ]);
  });

  it("copies each stream to a mirroring session and answers with upstream's", async () => {
    const seen: Seen = [];
    const f = await setUp(seen);
    await registerSession(f, "s1", hosts.alice, { headers: {} }, true);
    expect(await call("/m", {}, "body")).toEqual({ text: "upstream: /m", trailer: "upstream" });
    await until(() => seen.includes("alice /m body"));
    expect(seen).toContain("upstream /m body");
  });

  it("sends a session's streams upstream when its target refuses connections", async () => {
    const f = await setUp([]);
    await registerSession(f, "s1", hosts.alice, { headers: { "x-user": "alice" } });
    expect(await call("/r", { "x-user": "alice" }, "x")).toEqual({ text: "alice: /r", trailer: "alice" });
    stopServer(scope.servers[1] as { close(): unknown });
    expect(await call("/r", { "x-user": "alice" }, "x")).toEqual({
      text: "upstream: /r",
      trailer: "upstream",
    });
  });
});
