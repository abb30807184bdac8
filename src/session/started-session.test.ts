import { describe, expect, it, vi } from "vitest";
import { TpError } from "../errors.js";
import type { RemoteEnd } from "../kube/remote-end.js";
import type { StartedSidecar } from "../docker/sidecar.js";
import { StartedSession, type UndoStep } from "./started-session.js";

function session(
  takeOver: () => Promise<void>,
  undo: UndoStep[] = [],
  lost = new Promise<never>(() => undefined),
  sidecarRuns = true,
) {
  const lines: string[] = [];
  const progress = {
    debug: (t: string) => lines.push(`debug: ${t}`),
    info: (t: string) => lines.push(`info: ${t}`),
    warn: (t: string) => lines.push(`warn: ${t}`),
    step: () => () => undefined,
  };
  const remote = { takeOver } as unknown as RemoteEnd;
  const s = new StartedSession(
    "id",
    remote,
    { running: async () => sidecarRuns } as StartedSidecar,
    {},
    {},
    lost,
    undo,
    progress,
    undefined,
  );
  return { s, lines };
}

describe("StartedSession.guard", () => {
  it("warns when the traffic could not go to the proxy while the session runs", async () => {
    const { s, lines } = session(() => Promise.reject(new Error("the proxy is not Ready")));
    await s.guard();
    await s.stop();
    expect(lines).toContain(
      "warn: could not send all of the workload's traffic to the proxy (the proxy is not Ready): its own pods keep serving part of it",
    );
  });

  it("says nothing of a take-over that the session's own end cut short", async () => {
    let fail: ((err: Error) => void) | undefined;
    const { s, lines } = session(() => new Promise((_, reject) => (fail = reject)));
    const guarded = s.guard();
    await vi.waitFor(() => expect(fail).toBeDefined());
    const stopped = s.stop();
    // The undo deletes the proxy: the take-over then fails on that.
    fail?.(new Error("pod ns/web-tp-1 is being deleted"));
    await Promise.all([guarded, stopped]);
    expect(lines.filter((l) => l.startsWith("warn:"))).toEqual([]);
  });
});

describe("StartedSession.guard after the session is lost", () => {
  it("takes no traffic over: the workload's pods keep it", async () => {
    const takeOver = vi.fn(async () => undefined);
    const lost = Promise.reject(new TpError("docker-error", "the sidecar tp-1-sidecar stopped"));
    const { s } = session(takeOver, [], lost);
    await lost.catch(() => undefined);
    await s.guard();
    expect(takeOver).not.toHaveBeenCalled();
    await s.stop();
  });

  it("takes no traffic over once Docker says the sidecar stopped, before tp has heard of it", async () => {
    const takeOver = vi.fn(async () => undefined);
    const { s, lines } = session(takeOver, [], undefined, false);
    await s.guard();
    expect(takeOver).not.toHaveBeenCalled();
    expect(lines).toContain("debug: no take-over: the session is ending");
    await s.stop();
  });
});

describe("StartedSession.handBack", () => {
  /** Undo steps that log when they run and end when told to. */
  function steps(log: string[]) {
    let endCluster: () => void = () => undefined;
    const undo: UndoStep[] = [
      { what: "sidecar", run: async () => (log.push("sidecar"), ["sidecar removed"]) },
      {
        what: "cluster",
        cluster: true,
        early: true,
        run: () => (
          log.push("cluster"),
          new Promise<string[]>((r) => (endCluster = () => r(["web restored"])))
        ),
      },
      { what: "local", run: async () => (log.push("local"), []) },
    ];
    return { undo, endCluster: () => endCluster() };
  }

  it("begins the cluster's undo alone, resolves when it is done, and stop() does the rest without running it again", async () => {
    const log: string[] = [];
    const { undo, endCluster } = steps(log);
    const { s, lines } = session(() => Promise.resolve(), undo);
    let handedBack = false;
    const back = s.handBack().then(() => (handedBack = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(log).toEqual(["cluster"]);
    expect(handedBack).toBe(false);
    endCluster();
    await back;
    await s.stop();
    expect(log).toEqual(["cluster", "local", "sidecar"]);
    expect(lines.filter((l) => l.startsWith("info:"))).toEqual([
      "info: web restored",
      "info: sidecar removed",
    ]);
  });

  it("no longer moves the traffic to the proxy once it began", async () => {
    let tookOver = 0;
    const { s } = session(async () => void tookOver++);
    await s.handBack();
    await s.guard();
    await s.stop();
    expect(tookOver).toBe(0);
  });

  it("begins nothing in a cluster that cannot be reached (the warden's part)", async () => {
    const log: string[] = [];
    const { undo } = steps(log);
    const unreachable = Promise.reject(new TpError("cluster-unreachable", "no answer"));
    const { s } = session(() => Promise.resolve(), undo, unreachable as Promise<never>);
    await new Promise((r) => setTimeout(r, 0));
    await s.handBack();
    await s.stop();
    expect(log).toEqual(["local", "sidecar"]);
  });
});

describe("StartedSession before its caller's program runs", () => {
  it("leaves the workload's traffic to its own pods however long the program takes to start", async () => {
    vi.useFakeTimers();
    try {
      let tookOver = 0;
      const { s } = session(async () => void tookOver++);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(tookOver).toBe(0);
      await s.guard();
      expect(tookOver).toBe(1);
      await s.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
