import { describe, expect, it } from "vitest";
import type { ClusterSession } from "../cluster/sessions.js";
import type { LocalSession } from "../docker/local-sessions.js";
import { cleanupLeftovers, type CleanupWays } from "./cleanup-leftovers.js";

const deadLocal: LocalSession = {
  id: "aaaa1111",
  containers: [{ id: "c1", name: "tp-aaaa1111-sidecar", role: "sidecar", state: "running" }],
  volumes: "/tmp/tp-aaaa1111-volumes",
  sockets: "/tmp/tp-aaaa1111-sockets",
  live: false,
};
const cluster = (id: string, live: boolean): ClusterSession =>
  ({ id, namespace: "dev", live }) as unknown as ClusterSession;

/** Ways that record what was done; `fail` names the steps that throw. */
function fakeWays(
  fail: Partial<Record<keyof CleanupWays, string>> = {},
  clusterSessions = [cluster("aaaa1111", true)],
) {
  const calls: string[] = [];
  const step =
    <A extends unknown[], R>(name: keyof CleanupWays, result: (...a: A) => R) =>
    async (...a: A): Promise<R> => {
      calls.push(name);
      if (fail[name]) throw new Error(fail[name]);
      return result(...a);
    };
  const ways: CleanupWays = {
    listLocalSessions: step("listLocalSessions", () => [deadLocal]),
    removeLocalSession: step("removeLocalSession", () => ["container tp-aaaa1111-sidecar removed"]),
    isSessionFolder: step("isSessionFolder", () => true),
    removeSessionFolder: step("removeSessionFolder", () => true),
    removeSocketFolder: step("removeSocketFolder", () => true),
    listLocalRecords: step("listLocalRecords", () => []),
    removeLocalLeftovers: step("removeLocalLeftovers", () => ({ done: [], left: [] })),
    listClusterSessions: step("listClusterSessions", () => clusterSessions),
    cleanupClusterSession: step("cleanupClusterSession", (ns: string, id: string) => [
      `session ${id} in ${ns} undone`,
    ]),
    cleanupIntercepts: step("cleanupIntercepts", () => []),
  };
  return { ways, calls };
}

describe("cleanupLeftovers", () => {
  it("undoes a session that died here: locally, then in the cluster (its Lease may still be live)", async () => {
    const { ways } = fakeWays();
    const r = await cleanupLeftovers(ways, { namespace: "dev" }, () => undefined);
    expect(r.failed).toEqual([]);
    expect(r.done).toEqual([
      "container tp-aaaa1111-sidecar removed",
      "session folder /tmp/tp-aaaa1111-volumes removed",
      "socket folder /tmp/tp-aaaa1111-sockets removed",
      "session aaaa1111 in dev undone",
    ]);
  });

  it("a session folder that cannot be removed does not stop the cluster's undo", async () => {
    const { ways, calls } = fakeWays({ removeSessionFolder: "EBUSY: resource busy or locked" });
    const r = await cleanupLeftovers(ways, { namespace: "dev" }, () => undefined);
    expect(r.failed).toEqual([
      "session aaaa1111: remove its session folder /tmp/tp-aaaa1111-volumes: EBUSY: resource busy or locked",
    ]);
    expect(calls).toContain("removeSocketFolder");
    expect(calls).toContain("cleanupClusterSession");
    expect(r.done).toContain("session aaaa1111 in dev undone");
  });

  it("an unreachable Docker engine does not stop the cluster's undo; the folders wait for the next run", async () => {
    const { ways, calls } = fakeWays({ listLocalSessions: "docker is not running" }, [
      cluster("bbbb2222", true),
    ]);
    ways.listLocalRecords = async () => [
      { id: "bbbb2222", path: "/tmp/tp-bbbb2222-session.json", live: false },
    ];
    const r = await cleanupLeftovers(ways, { namespace: "dev" }, () => undefined);
    expect(r.failed).toEqual(["list the local containers: docker is not running"]);
    // Its tp died here (the record says so): undone now, though its Lease is still live.
    expect(r.done).toEqual(["session bbbb2222 in dev undone"]);
    // Its containers may still run and use its folders.
    expect(calls).not.toContain("removeLocalLeftovers");
  });

  it("leaves the folders of a session whose containers could not be removed", async () => {
    const { ways, calls } = fakeWays({ removeLocalSession: "container in use" });
    ways.listLocalRecords = async () => [
      { id: "aaaa1111", path: "/tmp/tp-aaaa1111-session.json", live: false },
    ];
    const r = await cleanupLeftovers(ways, { namespace: "dev" }, () => undefined);
    expect(r.failed).toEqual(["session aaaa1111: remove its containers: container in use"]);
    for (const step of ["removeSessionFolder", "removeSocketFolder", "removeLocalLeftovers"])
      expect(calls).not.toContain(step);
    expect(r.done).toContain("session aaaa1111 in dev undone");
  });

  it("one session's failed undo does not stop the next one's", async () => {
    const { ways } = fakeWays({}, [cluster("cccc3333", false), cluster("dddd4444", false)]);
    const undo = ways.cleanupClusterSession;
    ways.cleanupClusterSession = async (ns, id) => {
      if (id === "cccc3333") throw new Error("forbidden");
      return undo(ns, id);
    };
    const r = await cleanupLeftovers(ways, { namespace: "dev" }, () => undefined);
    expect(r.failed).toEqual(["session cccc3333 in dev: undo its cluster changes: forbidden"]);
    expect(r.done).toContain("session dddd4444 in dev undone");
  });

  it("touches no intercept when the cluster's sessions could not be listed (none can be told live)", async () => {
    const { ways, calls } = fakeWays({ listClusterSessions: "the cluster does not answer" });
    const r = await cleanupLeftovers(ways, { namespace: "dev" }, () => undefined);
    expect(calls).not.toContain("cleanupIntercepts");
    expect(r.failed).toEqual(["list the sessions in the cluster: the cluster does not answer"]);
    expect(r.done).toContain("session folder /tmp/tp-aaaa1111-volumes removed");
  });

  it("leaves a folder that is not the session's alone, with a warning", async () => {
    const { ways, calls } = fakeWays();
    ways.isSessionFolder = async () => false;
    const warned: string[] = [];
    const r = await cleanupLeftovers(ways, { namespace: "dev" }, (t) => warned.push(t));
    expect(calls).not.toContain("removeSessionFolder");
    expect(warned[0]).toMatch(/is not a session folder: left alone/);
    expect(r.failed).toEqual([]);
  });
  it("leaves the local leftovers of a session in another namespace to a cleanup there, or of all", async () => {
    const elsewhere: LocalSession = { ...deadLocal, remote: "other/web-tp-aaaa1111" };
    const { ways, calls } = fakeWays({}, []);
    ways.listLocalSessions = () => Promise.resolve([elsewhere]);
    ways.listLocalRecords = () =>
      Promise.resolve([{ id: "aaaa1111", live: false }] as unknown as Awaited<
        ReturnType<CleanupWays["listLocalRecords"]>
      >);
    const here = await cleanupLeftovers(ways, { namespace: "dev" }, () => undefined);
    expect(here.done).toEqual([]);
    expect(calls).not.toContain("removeLocalSession");
    expect(calls).not.toContain("removeLocalLeftovers");
    const there = await cleanupLeftovers(ways, { namespace: "other" }, () => undefined);
    expect(there.done).toContain("container tp-aaaa1111-sidecar removed");
    const all = await cleanupLeftovers(ways, { namespace: undefined }, () => undefined);
    expect(all.done).toContain("container tp-aaaa1111-sidecar removed");
  });

  it("leaves the folders of a dead session of another namespace that no container names (its record says where it was)", async () => {
    const { ways, calls } = fakeWays({}, []);
    ways.listLocalSessions = () => Promise.resolve([]);
    ways.listLocalRecords = () =>
      Promise.resolve([{ id: "bbbb2222", live: false, namespace: "other", path: "/tmp/r" }]);
    ways.removeLocalLeftovers = (r) => (
      calls.push(`removeLocalLeftovers ${r.id}`),
      Promise.resolve({ done: [`folders of ${r.id} removed`], left: [] })
    );
    expect((await cleanupLeftovers(ways, { namespace: "dev" }, () => undefined)).done).toEqual([]);
    expect(calls).not.toContain("removeLocalLeftovers bbbb2222");
    expect((await cleanupLeftovers(ways, { namespace: "other" }, () => undefined)).done).toEqual([
      "folders of bbbb2222 removed",
    ]);
    expect(
      (await cleanupLeftovers(ways, { namespace: "dev", session: "bbbb2222" }, () => undefined)).done,
    ).toEqual(["folders of bbbb2222 removed"]);
  });
});
