import { describe, expect, it } from "vitest";
import { ManualClock } from "../../clock.js";
import type { LeaseSpec } from "./lease-reader.js";
import { runWarden } from "./warden-loop.js";

/** A session's Lease (renewTime set by the test, or gone), and a record of the undo. */
function fakeLease() {
  const lease: { renewTime?: string; gone: boolean; failing: boolean } = {
    renewTime: "t0",
    gone: false,
    failing: false,
  };
  const done: string[] = [];
  const read = async (): Promise<LeaseSpec | undefined> => {
    if (lease.failing) throw new Error("HTTP 503");
    return lease.gone ? undefined : { renewTime: lease.renewTime, leaseDurationSeconds: 30 };
  };
  const undo = async () => void done.push("undone");
  return { lease, done, read, undo };
}

describe("runWarden", () => {
  it("undoes the session once the lease's renewTime has not moved for its 30 s", async () => {
    const clock = new ManualClock();
    const { read, undo, done } = fakeLease();
    const finished = runWarden(read, undo, () => undefined, 2_000, clock);
    await clock.advance(30_000);
    expect(done).toEqual([]);
    await clock.advance(2_000);
    await finished;
    expect(done).toEqual(["undone"]);
  });

  it("leaves the session alone while the lease is renewed", async () => {
    const clock = new ManualClock();
    const { read, undo, lease, done } = fakeLease();
    void runWarden(read, undo, () => undefined, 2_000, clock);
    // Renewed every 5 s for two minutes; the warden polls every 2 s.
    for (let i = 1; i <= 24; i++) {
      lease.renewTime = `t${i}`;
      await clock.advance(5_000);
    }
    expect(done).toEqual([]);
    // The renewals stop (the CLI was killed). The last one was seen at 116 s: at 146 s it has not
    // moved for 30 s, and at the poll after that the session is undone.
    await clock.advance(26_000);
    expect(done).toEqual([]);
    await clock.advance(2_000);
    expect(done).toEqual(["undone"]);
  });

  it("undoes the session at once when the lease is gone", async () => {
    const clock = new ManualClock();
    const { read, undo, lease, done } = fakeLease();
    lease.gone = true;
    await runWarden(read, undo, () => undefined, 2_000, clock);
    expect(done).toEqual(["undone"]);
  });

  it("goes on polling while the lease cannot be read, and logs why", async () => {
    const clock = new ManualClock();
    const { read, undo, lease, done } = fakeLease();
    const logged: string[] = [];
    lease.failing = true;
    void runWarden(read, undo, (t) => logged.push(t), 2_000, clock);
    await clock.advance(60_000);
    expect(done).toEqual([]);
    expect(logged[0]).toBe("cannot read the lease: HTTP 503");
    lease.failing = false;
    lease.gone = true;
    await clock.advance(2_000);
    expect(done).toEqual(["undone"]);
  });
});
