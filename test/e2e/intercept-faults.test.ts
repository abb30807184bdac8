import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubeconfig, kubectl, requireCluster, until } from "./support/cluster.js";
import { CutProxy } from "./support/cut-proxy.js";
import { runTp } from "./support/tp.js";
import { expectRouted, InterceptCase, type Answer } from "./intercept-fixture.js";

const cases: Partial<Record<"cut" | "kill" | "cleanup" | "router", InterceptCase>> = {};

beforeAll(async () => {
  requireCluster();
  [cases.cut, cases.kill, cases.cleanup, cases.router] = await Promise.all([
    InterceptCase.create("tp-intercept-cut"),
    InterceptCase.create("tp-intercept-kill"),
    InterceptCase.create("tp-intercept-cleanup"),
    InterceptCase.create("tp-intercept-router"),
  ]);
}, 180_000);

afterAll(async () => {
  await Promise.all(Object.values(cases).map((c) => c.dispose()));
}, 120_000);

describe.concurrent("an intercept's faults", () => {
  it(
    "sends matching requests to the workload's pods while the tunnel is cut, and to the session again after",
    { timeout: 300_000 },
    async () => {
      const c = cases.cut as InterceptCase;
      const server = /server: https:\/\/([^:\s]+):(\d+)/.exec(readFileSync(kubeconfig, "utf8"));
      const proxy = new CutProxy({ host: server?.[1] ?? "127.0.0.1", port: Number(server?.[2] ?? 6443) });
      const port = await proxy.listen();
      const dir = mkdtempSync(join(tmpdir(), "tp-cut-"));
      const config = join(dir, "config");
      writeFileSync(
        config,
        readFileSync(kubeconfig, "utf8").replace(/server: .*/, `server: https://127.0.0.1:${port}`),
      );
      const tp = c.start("local-a", ["--http-header", "x-dev=a"], { KUBECONFIG: config }, [
        "--kubeconfig",
        config,
      ]);
      try {
        await c.waitRouted(["x-dev", "a"], "local-a");
        // Requests with the header, five a second, through a 5 s cut of the tunnel and after it.
        // The 3 s before the cut count from the client's first answer: started in its pod through
        // kubectl exec, it may take seconds to send its first request on a busy machine.
        let first: () => void = () => undefined;
        const answered = new Promise<void>((r) => (first = r));
        const watching = c.client({ mode: "watch", ms: 45_000, everyMs: 200, header: ["x-dev", "a"] }, first);
        await Promise.race([answered, watching]);
        await new Promise((r) => setTimeout(r, 3_000));
        const cutAt = Date.now();
        proxy.cut(5_000);
        const answers = (await watching) as Answer[];
        const errors = answers.filter((a) => a.error !== undefined || a.status !== 200);
        expect(errors, JSON.stringify(errors.slice(0, 5))).toEqual([]);
        const firstOriginal = answers.findIndex((a) => a.name === "original");
        // Requests before the cut reach the session. If not, the first answers with their times
        // and what tp said tell why.
        expect(
          firstOriginal,
          `the originals answered during the cut, not before (t: ms after the cut): ${JSON.stringify(answers.slice(0, 3).map((a) => ({ ...a, t: (a.t ?? NaN) - cutAt })))}\n${tp.stderr}`,
        ).toBeGreaterThan(0);
        const back = answers.slice(firstOriginal).findIndex((a) => a.name === "local-a");
        expect(back, "the session answered again after the cut").toBeGreaterThan(0);
        const last = answers.at(-1);
        expect(last?.name).toBe("local-a");
        const originalsAt = (answers[firstOriginal]!.t ?? NaN) - cutAt;
        const backAt = (answers[firstOriginal + back]!.t ?? NaN) - cutAt;
        process.stderr.write(
          `tunnel cut: originals from ${originalsAt} ms after the cut, the session again after ${backAt} ms\n`,
        );
        // The originals took over while the tunnel was cut (the first of theirs may be a request
        // sent just before, in flight when the cut came), and the session only once it was back.
        expect(originalsAt, "the originals' first request, ms after the cut").toBeGreaterThan(-1_000);
        expect(originalsAt, "the originals' first request, ms after the cut").toBeLessThan(5_000);
        expect(backAt, "the session's first answer again, ms after the cut").toBeGreaterThanOrEqual(5_000);
        expectRouted(answers.slice(firstOriginal + back), () => "local-a");
      } finally {
        await tp.kill();
        await proxy.close();
        rmSync(dir, { recursive: true, force: true });
      }
      await c.expectRestored(60_000);
    },
  );

  it(
    "kill -9 of tp: within 60 s its entry is gone while another session's stays; after the last, the selector is the original, the router deleted",
    { timeout: 300_000 },
    async () => {
      const c = cases.kill as InterceptCase;
      const before = await c.workload();
      const tp = c.start("local-k", ["--http-header", "x-dev=k"]);
      const stays = c.start("local-s", ["--http-header", "x-dev=s"]);
      try {
        await Promise.all([c.waitRouted(["x-dev", "k"], "local-k"), c.waitRouted(["x-dev", "s"], "local-s")]);
        const id = /web-tp-([0-9a-f]{8})/.exec(tp.stderr)?.[1] ?? "?";
        const other = /web-tp-([0-9a-f]{8})/.exec(stays.stderr)?.[1] ?? "?";
        const entries = async () =>
          Object.keys(JSON.parse((await c.service()).annotations["tp.dev/intercepts"] ?? "{}") as object);
        expect((await entries()).sort()).toEqual([id, other].sort());
        tp.process.kill("SIGKILL");
        await tp.processExited();
        const killed = Date.now();
        // Meanwhile the workload's pods answer the killed session's requests; the other's still reach it.
        await new Promise((r) => setTimeout(r, 3_000));
        expectRouted(await c.client({ mode: "plain", count: 10, header: ["x-dev", "k"] }), () => "original");
        await until(
          "the killed session's entry gone, the other's kept",
          async () => JSON.stringify(await entries()) === JSON.stringify([other]),
          60_000 - (Date.now() - killed),
          500,
        );
        process.stderr.write(
          `kill -9 of one of two intercepts: its entry gone after ${Date.now() - killed} ms\n`,
        );
        expectRouted(await c.client({ mode: "plain", count: 10, header: ["x-dev", "s"] }), (a) =>
          a.header ? "local-s" : "original",
        );
        expect(
          (await c.tpObjects()).some((o) => /tp-router-/.test(o)),
          "the router, still in use",
        ).toBe(true);
        // The last session, killed too: nothing of the intercept is left within 60 s.
        stays.process.kill("SIGKILL");
        await stays.processExited();
        const lastKilled = Date.now();
        await until(
          "the entry gone, the selector the original, the router deleted",
          async () => {
            const s = await c.service();
            const objects = await c.tpObjects();
            return (
              JSON.stringify(s.selector) === JSON.stringify({ app: "web" }) &&
              !("tp.dev/intercepts" in s.annotations) &&
              !objects.some((o) => /tp-router-|tp-orig-/.test(o))
            );
          },
          60_000 - (Date.now() - lastKilled),
          500,
        );
        process.stderr.write(
          `kill -9 of the last intercept: Service as before after ${Date.now() - lastKilled} ms\n`,
        );
        await c.expectRestored(30_000);
        expect(await c.workload()).toEqual(before);
      } finally {
        await Promise.all([tp.kill(), stays.kill()]);
      }
    },
  );

  it(
    "kill -9 of tp, then tp cleanup: the intercept is undone at once, before the Lease runs out",
    { timeout: 240_000 },
    async () => {
      const c = cases.cleanup as InterceptCase;
      const tp = c.start("local-c", ["--http-header", "x-dev=c"]);
      try {
        await c.waitRouted(["x-dev", "c"], "local-c");
        tp.process.kill("SIGKILL");
        await tp.processExited();
        const started = Date.now();
        const r = await runTp(["cleanup", "-n", c.ns]);
        expect(r.exitCode, r.stderr).toBe(0);
        expect(r.stdout).toMatch(/intercept of service .*\/web by session [0-9a-f]{8} removed/);
        expect(r.stdout).toMatch(/selects its own pods again/);
        await c.expectRestored(20_000);
        process.stderr.write(
          `tp cleanup of a killed intercept: Service as before after ${Date.now() - started} ms\n`,
        );
      } finally {
        await tp.kill();
      }
    },
  );

  it(
    "a router pod deleted by someone else ends the session at once, naming it, and the Service selects its own pods again",
    { timeout: 240_000 },
    async () => {
      const c = cases.router as InterceptCase;
      const before = await c.workload();
      const tp = c.start("local-r", ["--http-header", "x-dev=r"]);
      try {
        await c.waitRouted(["x-dev", "r"], "local-r");
        const deleted = Date.now();
        await kubectl(["delete", "pod", "tp-router-web", "-n", c.ns, "--wait=false"]);
        // Without the session's end, the Service would select a router that no longer exists.
        await until("tp to end", async () => tp.process.exitCode !== null, 20_000, 200);
        const ended = Date.now() - deleted;
        expect(tp.process.exitCode).toBe(255);
        expect(tp.stderr).toMatch(
          /the router pod tp-intercept-router-\S+\/tp-router-web (was deleted|is being deleted)/,
        );
        const restored = (await c.expectRestored(20_000), Date.now() - deleted);
        process.stderr.write(
          `router deleted: tp ended after ${ended} ms, the Service as before after ${restored} ms\n`,
        );
        expectRouted(await c.client({ mode: "plain", count: 10, header: ["x-dev", "r"] }), () => "original");
        expect(await c.workload()).toEqual(before);
      } finally {
        await tp.kill();
      }
    },
  );
});
