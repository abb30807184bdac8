import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubectl, requireCluster } from "./support/cluster.js";
import type { RunningTp } from "./support/tp.js";
import { expectRouted, InterceptCase } from "./intercept-fixture.js";

let c: InterceptCase;

beforeAll(async () => {
  requireCluster();
  c = await InterceptCase.create("tp-intercept-race");
}, 120_000);

afterAll(async () => {
  await c?.dispose();
}, 120_000);

describe("a session that joins while the last one is ending", () => {
  it(
    "waits until the ending session has deleted the router and the shadow Service, then makes them again and is routed",
    { timeout: 300_000 },
    async () => {
      const sessions: RunningTp[] = [];
      try {
        // a stops inside its teardown: the selector is back, the router not yet deleted.
        const a = c.start("local-a", ["--http-header", "x-dev=a"], { TP_TEST_PAUSE_AT: "intercept-leaving" });
        sessions.push(a);
        await c.waitRouted(["x-dev", "a"], "local-a");
        a.process.kill("SIGINT");
        await a.waitFor(/tp-test-stage: intercept-leaving/, 60_000, "stderr");
        const leaving = await c.service();
        expect(leaving.selector).toEqual({ app: "web" });
        expect(Object.values(JSON.parse(leaving.annotations["tp.dev/intercepts"] ?? "{}"))).toMatchObject([
          { leaving: true },
        ]);
        expect(await c.tpObjects()).toEqual(
          expect.arrayContaining(["Pod/tp-router-web", "Service/tp-orig-web"]),
        );

        // b comes now: it finds the router there, and waits instead of taking it.
        const b = c.start("local-b", ["--http-header", "x-dev=b"]);
        sessions.push(b);
        await b.waitFor(/waiting for tp session [0-9a-f]+ to finish ending its intercept/, 60_000, "stderr");
        await new Promise((r) => setTimeout(r, 2_000));
        const meanwhile = await c.service();
        expect(meanwhile.selector).toEqual({ app: "web" });
        expect(Object.keys(JSON.parse(meanwhile.annotations["tp.dev/intercepts"] ?? "{}"))).toHaveLength(1);

        // a goes on: it deletes the router and the shadow Service and removes its entry.
        a.process.kill("SIGUSR2");
        await a.processExited();
        expect(a.stderr).toMatch(/router pod .*tp-router-web deleted/);

        // b makes them again and its requests reach it; the others reach the workload's pods.
        await c.waitRouted(["x-dev", "b"], "local-b");
        expect((await c.service()).selector).toEqual({ "tp.dev/router": "web" });
        const router = JSON.parse(await kubectl(["get", "pod", "tp-router-web", "-n", c.ns, "-o", "json"]));
        expect(router.metadata.deletionTimestamp).toBeUndefined();
        expect(await kubectl(["get", "service", "tp-orig-web", "-n", c.ns, "-o", "name"])).toMatch(
          /tp-orig-web/,
        );
        expectRouted(await c.client({ mode: "plain", count: 10, header: ["x-dev", "b"] }), (x) =>
          x.header ? "local-b" : "original",
        );
        expectRouted(await c.client({ mode: "plain", count: 6, header: ["x-dev", "a"] }), () => "original");
        await b.kill();
        await c.expectRestored(60_000);
      } finally {
        for (const s of sessions) await s.kill();
      }
    },
  );
});
