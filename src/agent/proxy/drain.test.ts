import { describe, expect, it } from "vitest";
import { ManualClock } from "../../clock.js";
import { drain } from "./drain.js";

/** A drain on a manual clock; `ended()` says whether it has returned. */
function started(o: { serving?: () => boolean; lastAccept?: () => number } = {}) {
  const clock = new ManualClock();
  let done = false;
  void drain({
    serving: o.serving ?? (() => true),
    lastAccept: o.lastAccept ?? (() => 0),
    quietMs: 1_000,
    maxMs: 5_000,
    clock,
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

  it("ends once the session does", async () => {
    let serving = true;
    const { clock, ended } = started({ serving: () => serving });
    await clock.advance(300);
    expect(ended()).toBe(false);
    serving = false;
    await clock.advance(100);
    expect(ended()).toBe(true);
  });
});
