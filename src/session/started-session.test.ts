import { describe, expect, it } from "vitest";
import type { RemoteEnd } from "../kube/remote-end.js";
import type { StartedSidecar } from "../docker/sidecar.js";
import { StartedSession } from "./started-session.js";

function session(takeOver: () => Promise<void>) {
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
    {} as StartedSidecar,
    {},
    {},
    new Promise<never>(() => undefined),
    [],
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
    let fail: (err: Error) => void = () => undefined;
    const { s, lines } = session(() => new Promise((_, reject) => (fail = reject)));
    const guarded = s.guard();
    const stopped = s.stop();
    // The undo deletes the proxy: the take-over then fails on that.
    fail(new Error("pod ns/web-tp-1 is being deleted"));
    await Promise.all([guarded, stopped]);
    expect(lines.filter((l) => l.startsWith("warn:"))).toEqual([]);
  });
});
