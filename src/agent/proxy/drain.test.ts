import { describe, expect, it } from "vitest";
import { ManualClock } from "../../clock.js";
import { drain } from "./drain.js";

/** A drain on a manual clock; `ended()` says whether it has returned. */
function started(o: { serving?: () => boolean; lastAccept?: () => number; signal?: AbortSignal } = {}) {
  const clock = new ManualClock();
  let done = false;
  void drain({
    serving: o.serving ?? (() => true),
    lastAccept: o.lastAccept ?? (() => 0),
    quietMs: 1_000,
    maxMs: 5_000,
    clock,
    signal: o.signal,
  }).then(() => (done = true));
  return { clock, ended: () => done };
}

describe("drain", () => {
  it("ends at once without a session", async () => {
    const { clock, ended } = started({ serving: () => false });
    await clock.advance(0);
    expect(ended()).toBe(true);
  });

  it("serves on until no connection has come for the quiet time", async () => {
    let last = 0;
    const { clock, ended } = started({ lastAccept: () => last });
    await clock.advance(600);
    last = clock.now(); // a connection still routed to the pod
    await clock.advance(900);
    expect(ended()).toBe(false);
    await clock.advance(200);
    expect(ended()).toBe(true);
  });

  it("ends at the longest drain however connections keep coming", async () => {
    let clockNow = () => 0;
    const { clock, ended } = started({ lastAccept: () => clockNow() });
    clockNow = () => clock.now();
    await clock.advance(4_900);
    expect(ended()).toBe(false);
    await clock.advance(200);
    expect(ended()).toBe(true);
  });

  it("ends once the session does, or at a second signal", async () => {
    let serving = true;
    const a = started({ serving: () => serving });
    await a.clock.advance(300);
    expect(a.ended()).toBe(false);
    serving = false;
    await a.clock.advance(100);
    expect(a.ended()).toBe(true);

    const again = new AbortController();
    const b = started({ signal: again.signal });
    await b.clock.advance(300);
    again.abort();
    await b.clock.advance(0);
    expect(b.ended()).toBe(true);
  });
});
