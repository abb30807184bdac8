import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubeconfig, requireCluster, until } from "./support/cluster.js";
import { CutProxy } from "./support/cut-proxy.js";
import { runTp } from "./support/tp.js";
import { expectRouted, InterceptCase, type Answer } from "./intercept-fixture.js";

const cases: Partial<Record<"cut" | "kill" | "cleanup", InterceptCase>> = {};

beforeAll(async () => {
  requireCluster();
  [cases.cut, cases.kill, cases.cleanup] = await Promise.all([
    InterceptCase.create("tp-intercept-cut"),
    InterceptCase.create("tp-intercept-kill"),
    InterceptCase.create("tp-intercept-cleanup"),
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
        const watching = c.client({ mode: "watch", ms: 45_000, everyMs: 200, header: ["x-dev", "a"] });
        await new Promise((r) => setTimeout(r, 3_000));
        const cutAt = Date.now();
        proxy.cut(5_000);
        const answers = (await watching) as Answer[];
        const errors = answers.filter((a) => a.error !== undefined || a.status !== 200);
        expect(errors, JSON.stringify(errors.slice(0, 5))).toEqual([]);
        const firstOriginal = answers.findIndex((a) => a.name === "original");
        expect(firstOriginal, "the originals answered during the cut").toBeGreaterThan(0);
        const back = answers.slice(firstOriginal).findIndex((a) => a.name === "local-a");
        expect(back, "the session answered again after the cut").toBeGreaterThan(0);
        const last = answers.at(-1);
        expect(last?.name).toBe("local-a");
        process.stderr.write(
          `tunnel cut: originals from ${(answers[firstOriginal]!.t ?? 0) - cutAt} ms after the cut, the session again after ${(answers[firstOriginal + back]!.t ?? 0) - cutAt} ms\n`,
        );
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
    "kill -9 of tp: within 60 s the session's entry is gone, the selector is the original, the router deleted",
    { timeout: 300_000 },
    async () => {
      const c = cases.kill as InterceptCase;
      const before = await c.workload();
      const tp = c.start("local-k", ["--http-header", "x-dev=k"]);
      try {
        await c.waitRouted(["x-dev", "k"], "local-k");
        const id = /web-tp-([0-9a-f]{8})/.exec(tp.stderr)?.[1];
        expect(JSON.parse((await c.service()).annotations["tp.dev/intercepts"] ?? "{}")).toHaveProperty(
          id ?? "?",
        );
        tp.process.kill("SIGKILL");
        await tp.processExited();
        const killed = Date.now();
        // Meanwhile the workload's pods answer the session's requests.
        await new Promise((r) => setTimeout(r, 3_000));
        expectRouted(await c.client({ mode: "plain", count: 10, header: ["x-dev", "k"] }), () => "original");
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
          60_000 - (Date.now() - killed),
          500,
        );
        process.stderr.write(`kill -9 of an intercept: Service as before after ${Date.now() - killed} ms\n`);
        await c.expectRestored(30_000);
        expect(await c.workload()).toEqual(before);
      } finally {
        await tp.kill();
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
});
