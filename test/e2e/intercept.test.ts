import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireCluster, until } from "./support/cluster.js";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { RunningTp, runTp } from "./support/tp.js";
import { expectRouted, InterceptCase } from "./intercept-fixture.js";

let c: InterceptCase;

beforeAll(async () => {
  requireCluster();
  c = await InterceptCase.create("tp-intercept");
}, 120_000);

afterAll(async () => {
  await c?.dispose();
}, 120_000);

const local = (a: { header?: boolean }) => (a.header ? "local-a" : "original");

describe("tp docker-run --intercept", () => {
  it(
    "routes requests with the header to the local container and every other to the workload's pods, which stay as they were",
    { timeout: 300_000 },
    async () => {
      const before = await c.workload();
      expect(before.replicas).toBe(2);
      const sessions: RunningTp[] = [];
      try {
        const a = c.start("local-a", ["--http-header", "x-dev=a"]);
        sessions.push(a);
        await c.waitRouted(["x-dev", "a"], "local-a");
        const service = await c.service();
        expect(service.selector).toEqual({ "tp.dev/router": "web" });
        expect(JSON.parse(service.annotations["tp.dev/original-selector"] ?? "{}")).toEqual({ app: "web" });

        // 200 requests at once from a cluster pod, half with the header.
        const parallel = await c.client({ mode: "parallel", count: 200 });
        expect(parallel).toHaveLength(200);
        expectRouted(parallel, local);
        const originals = new Set(parallel.filter((p) => !p.header).map((p) => p.hostname));
        expect([...originals].sort()).toEqual(before.pods);

        // One keep-alive HTTP/1.1 connection, alternating: routed per request.
        const keepalive = await c.client({ mode: "keepalive", count: 20 });
        expectRouted(keepalive, local);
        expect(new Set(keepalive.map((k) => k.port)).size).toBe(1);

        // h2c on one connection: routed per stream.
        const h2 = await c.client({ mode: "h2c", count: 20 });
        expect(h2).toHaveLength(20);
        expectRouted(h2, local);

        // A WebSocket upgrade with the header reaches the local container.
        const ws = await c.client({ mode: "websocket" });
        expect(ws).toMatchObject({ status: 101, text: "local-a" });

        // A second session with another value of the header: each gets only its own.
        const b = c.start("local-b", ["--http-header", "x-dev=b"]);
        sessions.push(b);
        await c.waitRouted(["x-dev", "b"], "local-b");
        const [forA, forB, forNone] = await Promise.all([
          c.client({ mode: "plain", count: 10, header: ["x-dev", "a"] }),
          c.client({ mode: "plain", count: 10, header: ["x-dev", "b"] }),
          c.client({ mode: "plain", count: 10, header: ["x-dev", "c"] }),
        ]);
        expectRouted(forA, (x) => (x.header ? "local-a" : "original"));
        expectRouted(forB, (x) => (x.header ? "local-b" : "original"));
        expectRouted(forNone, () => "original");

        // tp status shows both intercepts and their filters.
        const status = JSON.parse((await runTp(["status", "-n", c.ns, "-o", "json"])).stdout) as {
          intercepts: { service: string; filter: string; mirror: boolean }[];
        };
        expect(status.intercepts.map((i) => [i.service, i.filter, i.mirror]).sort()).toEqual([
          ["web", "x-dev=a", false],
          ["web", "x-dev=b", false],
        ]);
        const table = (await runTp(["status", "-n", c.ns])).stdout;
        expect(table).toMatch(/web\s+[0-9a-f]{8}\s+deployment\/web\s+x-dev=a\s+no/);

        // A third session with a filter that is taken is refused before it changes anything.
        const taken = await runTp([
          "docker-run",
          "-n",
          c.ns,
          "--intercept",
          "web",
          "--http-header",
          "X-Dev=a",
          "--",
          "tp-test-busybox:local",
          "true",
        ]);
        expect(taken.exitCode).toBe(255);
        expect(taken.stderr).toMatch(/already intercepted for x-dev=a by tp session [0-9a-f]{8}/);

        // b ends: a keeps its requests, and the Service keeps its router.
        await b.kill();
        expect((await c.service()).selector).toEqual({ "tp.dev/router": "web" });
        expectRouted(await c.client({ mode: "plain", count: 6, header: ["x-dev", "b"] }), () => "original");
        expectRouted(await c.client({ mode: "plain", count: 6, header: ["x-dev", "a"] }), local);

        expect(await c.workload()).toEqual(before);
        await a.kill();
        await c.expectRestored(30_000);
        expect(a.stderr).toMatch(/selects its own pods again/);
        expect(await c.workload()).toEqual(before);
        expectRouted(await c.client({ mode: "plain", count: 6 }), () => "original");
      } finally {
        for (const s of sessions) await s.kill();
      }
    },
  );

  it(
    "with --mirror, copies every request to the local container while clients get the original's answers",
    { timeout: 240_000 },
    async () => {
      const m = c.start("local-m", ["--mirror"]);
      try {
        await m.waitFor(/intercept server local-m listening/, 120_000);
        // Once the router has the session's registration, a request reaches both sides.
        await until(
          "a request mirrored to the local container",
          async () => {
            const from = m.stdout.length;
            const [a] = await c.client({ mode: "plain", count: 1 }).catch(() => []);
            await new Promise((r) => setTimeout(r, 500));
            return a?.name === "original" && m.stdout.slice(from).includes("GOT GET /s/0");
          },
          120_000,
          500,
        );
        const mark = m.stdout.length;
        const answers = await c.client({ mode: "plain", count: 20, header: ["x-any", "1"] });
        expectRouted(answers, () => "original");
        const seen = () => m.stdout.slice(mark);
        // Copies travel on their own connections: they may come in any order.
        const all = Array.from({ length: 20 }, (_, i) => `GOT GET /s/${i}\n`);
        await until(
          "every copy at the local container",
          () => all.every((l) => seen().includes(l)),
          30_000,
          200,
        ).catch(() => undefined);
        for (const line of all) expect(seen()).toContain(line);
      } finally {
        await m.kill();
      }
      await c.expectRestored(30_000);
    },
  );

  it(
    "tp run --intercept: requests with the header reach a program on this machine",
    { timeout: 240_000 },
    async () => {
      const port = await freePort();
      const tp = new RunningTp([
        "run",
        "-n",
        c.ns,
        "--mount",
        "false",
        "--intercept",
        "web",
        "--http-header",
        "x-dev=h",
        "--expose",
        `${port}:8080`,
        "--",
        "sh",
        "-c",
        `PORT=${port} NAME=host exec node ${resolve("test/e2e/fixtures/intercept-server.mjs")}`,
      ]);
      try {
        await c.waitRouted(["x-dev", "h"], "host");
        expectRouted(await c.client({ mode: "plain", count: 10, header: ["x-dev", "h"] }), (a) =>
          a.header ? "host" : "original",
        );
      } finally {
        await tp.kill();
      }
      await c.expectRestored(30_000);
    },
  );
});

/** A TCP port free on this machine now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}
