import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeServiceApi, interceptEntry as entry } from "../../test/unit-support/fake-service-api.js";
import { TpError } from "../errors.js";
import { addEntry } from "./intercept-entry.js";

let dir: string;
let api: FakeServiceApi | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tp-entry-"));
});
afterEach(() => {
  api?.close();
  rmSync(dir, { recursive: true, force: true });
});

const b = { service: "web", sessionId: "bbbb", entry: entry("b"), filter: { headers: { "x-dev": "b" } } };

describe("addEntry", () => {
  it("waits while a live session's entry is leaving, and adds its own once that entry is gone", async () => {
    api = new FakeServiceApi({ aaaa: entry("a", { leaving: true }) });
    api.liveSessions.add("aaaa");
    const kube = await api.kube(dir);
    let added = false;
    const adding = addEntry(kube, "ns", b, { pollMs: 50 }).then(() => (added = true));
    await new Promise((r) => setTimeout(r, 600));
    expect(added).toBe(false);
    expect(api.entries()).toEqual({ aaaa: entry("a", { leaving: true }) });
    // The leaving session's last step: its entry goes.
    api.bump({ metadata: { annotations: { "tp.dev/intercepts": null } } });
    await adding;
    expect(api.entries()).toEqual({ bbbb: entry("b") });
    expect(api.deleted).toEqual([]);
  });

  it("gives up after its bound with an error that names the leaving session and `tp cleanup`", async () => {
    api = new FakeServiceApi({ aaaa: entry("a", { leaving: true }) });
    api.liveSessions.add("aaaa");
    const kube = await api.kube(dir);
    const err = await addEntry(kube, "ns", b, {
      pollMs: 50,
      timeoutMs: 400,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TpError);
    expect((err as TpError).code).toBe("timeout");
    expect((err as TpError).message).toContain("aaaa");
    expect((err as TpError).hint).toContain("tp cleanup");
    expect(api.entries()).toEqual({ aaaa: entry("a", { leaving: true }) });
  });

  it("stops waiting when aborted", async () => {
    api = new FakeServiceApi({ aaaa: entry("a", { leaving: true }) });
    api.liveSessions.add("aaaa");
    const kube = await api.kube(dir);
    const abort = new AbortController();
    setTimeout(() => abort.abort(new TpError("interrupted", "interrupted")), 300);
    await expect(addEntry(kube, "ns", b, { pollMs: 50, signal: abort.signal })).rejects.toThrow(
      "interrupted",
    );
    expect(api.entries()).toEqual({ aaaa: entry("a", { leaving: true }) });
  });

  it("finishes the teardown of a crashed session's leaving entry before it adds its own", async () => {
    api = new FakeServiceApi({ aaaa: entry("a", { leaving: true }) });
    api.service.spec["selector"] = { app: "web" };
    delete api.service.metadata.annotations?.["tp.dev/original-selector"];
    const fake = api;
    const atDelete: unknown[] = [];
    api.afterDelete = (what) => atDelete.push([what, fake.entries()]);
    await addEntry(await api.kube(dir), "ns", b, { pollMs: 50 });
    expect(atDelete).toEqual([
      ["pods/tp-router-web", { aaaa: entry("a", { leaving: true }) }],
      ["services/tp-orig-web", { aaaa: entry("a", { leaving: true }) }],
    ]);
    expect(api.entries()).toEqual({ bbbb: entry("b") });
  });

  it("does not wait for an entry that is not leaving", async () => {
    api = new FakeServiceApi({ aaaa: entry("a") });
    api.liveSessions.add("aaaa");
    await addEntry(await api.kube(dir), "ns", b, { pollMs: 50 });
    expect(api.entries()).toEqual({ aaaa: entry("a"), bbbb: entry("b") });
  });
});
