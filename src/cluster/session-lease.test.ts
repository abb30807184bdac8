import { ApiException, type V1Lease } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../clock.js";
import type { Kube } from "../kube/kube.js";
import { SessionLease } from "./session-lease.js";

type Patch = { op: string; path: string; value: string }[];

/** A cluster whose Lease API records the renewals, and fails them while `failWith` is set. */
function fakeCluster() {
  const renewals: string[] = [];
  const state: { failWith?: Error; deleted: number } = { deleted: 0 };
  const coordination = {
    createNamespacedLease: async ({ body }: { body: V1Lease }) => ({
      ...body,
      metadata: { ...body.metadata, uid: "lease-uid" },
    }),
    patchNamespacedLease: async ({ body }: { body: Patch }) => {
      if (state.failWith) throw state.failWith;
      renewals.push(body[0]?.value ?? "");
      return {};
    },
    deleteNamespacedLease: async () => {
      state.deleted++;
      return {};
    },
  };
  return { kube: { namespace: "ns", coordination } as unknown as Kube, renewals, state };
}

const info = { kind: "temporary", namespace: "ns" };

/** Whether a promise has rejected by now, and with what. */
function outcome(p: Promise<unknown>): { error?: Error } {
  const seen: { error?: Error } = {};
  p.catch((err: Error) => (seen.error = err));
  return seen;
}

describe("SessionLease", () => {
  it("renews every 5 s with the clock's time, and stops when deleted", async () => {
    const clock = new ManualClock();
    const { kube, renewals, state } = fakeCluster();
    const lease = new SessionLease(kube, "ns", "abc", info, clock);
    await lease.create();
    expect(lease.uid).toBe("lease-uid");
    const start = clock.now();
    await clock.advance(4_999);
    expect(renewals).toEqual([]);
    await clock.advance(1);
    expect(renewals).toEqual([new Date(start + 5_000).toISOString()]);
    await clock.advance(10_000);
    expect(renewals).toEqual([5_000, 10_000, 15_000].map((ms) => new Date(start + ms).toISOString()));
    expect(await lease.delete()).toBe(true);
    expect(state.deleted).toBe(1);
    await clock.advance(60_000);
    expect(renewals).toHaveLength(3);
    expect(clock.sleeping).toBe(0);
  });

  it("keeps the session while renewals fail for up to 30 s, and loses it after", async () => {
    const clock = new ManualClock();
    const { kube, renewals, state } = fakeCluster();
    const lease = new SessionLease(kube, "ns", "abc", info, clock);
    await lease.create();
    const lost = outcome(lease.lost);
    await clock.advance(10_000);
    expect(renewals).toHaveLength(2);
    // The cluster stops answering after the renewal at 10 s.
    state.failWith = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    await clock.advance(30_000);
    expect(lost.error).toBeUndefined();
    await clock.advance(5_000);
    expect(lost.error?.message).toMatch(/could not be renewed for 30 s/);
    expect(clock.sleeping).toBe(0);
  });

  it("a failure that heals in time loses nothing", async () => {
    const clock = new ManualClock();
    const { kube, renewals, state } = fakeCluster();
    const lease = new SessionLease(kube, "ns", "abc", info, clock);
    await lease.create();
    const lost = outcome(lease.lost);
    state.failWith = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    await clock.advance(30_000);
    state.failWith = undefined;
    await clock.advance(5_000);
    expect(renewals).toHaveLength(1);
    state.failWith = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    await clock.advance(30_000);
    expect(lost.error).toBeUndefined();
    await lease.delete();
  });

  it("loses the session at once when its record was deleted", async () => {
    const clock = new ManualClock();
    const { kube, state } = fakeCluster();
    const lease = new SessionLease(kube, "ns", "abc", info, clock);
    await lease.create();
    const lost = outcome(lease.lost);
    state.failWith = new ApiException(404, "Not Found", '{"message":"leases \\"x\\" not found"}', {});
    await clock.advance(5_000);
    expect(lost.error?.message).toMatch(/record in the cluster was deleted/);
  });

  it("a create whose answer was lost, retried and told 409, is the lease it made", async () => {
    const stored: V1Lease[] = [];
    let calls = 0;
    const coordination = {
      createNamespacedLease: async ({ body }: { body: V1Lease }) => {
        calls++;
        if (stored.length) throw new ApiException(409, "Conflict", '{"message":"already exists"}', {});
        stored.push({ ...body, metadata: { ...body.metadata, uid: "lease-uid" } });
        // Stored, but the answer is lost on the way back.
        throw new ApiException(503, "Service Unavailable", "{}", {});
      },
      readNamespacedLease: async () => stored[0],
      deleteNamespacedLease: async () => ({}),
    };
    const kube = { namespace: "ns", coordination } as unknown as Kube;
    const lease = new SessionLease(kube, "ns", "abc", info, new ManualClock());
    await lease.create();
    expect(calls).toBe(2);
    expect(lease.uid).toBe("lease-uid");
    await lease.delete();
  });

  it("a 409 for a lease another session made stays a conflict", async () => {
    let calls = 0;
    const coordination = {
      createNamespacedLease: async () => {
        calls++;
        if (calls === 1) throw new ApiException(503, "Service Unavailable", "{}", {});
        throw new ApiException(409, "Conflict", '{"message":"already exists"}', {});
      },
      readNamespacedLease: async () => ({ metadata: { labels: { "tp.dev/session": "other" }, uid: "x" } }),
    };
    const kube = { namespace: "ns", coordination } as unknown as Kube;
    await expect(new SessionLease(kube, "ns", "abc", info, new ManualClock()).create()).rejects.toThrow(
      /already exists/,
    );
  });
});
