import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { removeIntercept } from "./intercept-undo.js";
import {
  FakeServiceApi as FakeApi,
  interceptEntry as entry,
} from "../../test/unit-support/fake-service-api.js";

let dir: string;
let api: FakeApi | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tp-undo-"));
});
afterEach(() => {
  api?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("removeIntercept", () => {
  it("removes the last entry and puts the selector back in one patch, then deletes the router and the shadow", async () => {
    api = new FakeApi({ aaaa: entry("a") });
    const done = await removeIntercept(await api.kube(dir), "ns", "web", "aaaa");
    expect(api.service.spec["selector"]).toEqual({ app: "web" });
    expect(api.service.metadata.annotations ?? {}).toEqual({});
    expect(api.deleted).toEqual(["pods/tp-router-web", "services/tp-orig-web"]);
    expect(done).toContain("service ns/web selects its own pods again");
  });

  it("reads again when another session's entry came meanwhile, and then leaves the router to it", async () => {
    api = new FakeApi({ aaaa: entry("a") });
    const other = api;
    api.beforePatch = () =>
      other.bump({
        metadata: {
          annotations: { "tp.dev/intercepts": JSON.stringify({ aaaa: entry("a"), bbbb: entry("b") }) },
        },
      });
    await removeIntercept(await api.kube(dir), "ns", "web", "aaaa");
    expect(JSON.parse(api.service.metadata.annotations?.["tp.dev/intercepts"] ?? "{}")).toEqual({
      bbbb: entry("b"),
    });
    expect(api.service.spec["selector"]).toEqual({ "tp.dev/router": "web" });
    expect(api.deleted).toEqual([]);
  });

  it("is done again without harm: nothing left, nothing recorded", async () => {
    api = new FakeApi({});
    const kube = await api.kube(dir);
    await removeIntercept(kube, "ns", "web", "aaaa");
    const again = await removeIntercept(kube, "ns", "web", "aaaa");
    expect(api.service.spec["selector"]).toEqual({ app: "web" });
    expect(again.filter((l) => l.includes("selects"))).toEqual([]);
  });
});

describe("removeIntercept of the last session, in three steps", () => {
  it("restores the selector and marks the entry leaving in one patch, and removes the entry only after the router and the shadow Service are deleted", async () => {
    api = new FakeApi({ aaaa: entry("a") });
    const fake = api;
    const atDelete: unknown[] = [];
    api.afterDelete = (what) => atDelete.push([what, fake.entries()]);
    await removeIntercept(await api.kube(dir), "ns", "web", "aaaa");
    const first = api.patches[0] as { spec?: unknown; metadata: { annotations: Record<string, unknown> } };
    expect(first.spec).toEqual({ selector: { app: "web", "tp.dev/router": null } });
    expect(first.metadata.annotations["tp.dev/original-selector"]).toBeNull();
    expect(JSON.parse(first.metadata.annotations["tp.dev/intercepts"] as string)).toEqual({
      aaaa: entry("a", { leaving: true }),
    });
    const leaving = { aaaa: entry("a", { leaving: true }) };
    expect(atDelete).toEqual([
      ["pods/tp-router-web", leaving],
      ["services/tp-orig-web", leaving],
    ]);
    expect(api.service.metadata.annotations ?? {}).toEqual({});
    expect(api.service.spec["selector"]).toEqual({ app: "web" });
  });

  it("a crash before the deletes leaves the entry, marked leaving, so that running it again finishes with no tp annotation left", async () => {
    api = new FakeApi({ aaaa: entry("a") });
    const kube = await api.kube(dir);
    api.failDeletes = 1;
    await expect(removeIntercept(kube, "ns", "web", "aaaa")).rejects.toThrow();
    expect(api.entries()).toEqual({ aaaa: entry("a", { leaving: true }) });
    expect(api.service.spec["selector"]).toEqual({ app: "web" });
    api.deleted = [];
    await removeIntercept(kube, "ns", "web", "aaaa");
    expect(api.deleted).toEqual(["pods/tp-router-web", "services/tp-orig-web"]);
    expect(api.service.metadata.annotations ?? {}).toEqual({});
    expect(api.service.spec["selector"]).toEqual({ app: "web" });
  });

  it("without an entry of its own (its claim never landed) it deletes nothing: a joining session may be making the router", async () => {
    api = new FakeApi({});
    await removeIntercept(await api.kube(dir), "ns", "web", "bbbb");
    expect(api.service.spec["selector"]).toEqual({ app: "web" });
    expect(api.deleted).toEqual([]);
  });

  it("a crashed session's leaving entry, with another session's entry come since, only goes: the router stays", async () => {
    api = new FakeApi({ aaaa: entry("a", { leaving: true }), bbbb: entry("b") });
    await removeIntercept(await api.kube(dir), "ns", "web", "aaaa");
    expect(api.entries()).toEqual({ bbbb: entry("b") });
    expect(api.service.spec["selector"]).toEqual({ "tp.dev/router": "web" });
    expect(api.service.metadata.annotations?.["tp.dev/original-selector"]).toBeDefined();
    expect(api.deleted).toEqual([]);
  });
});
