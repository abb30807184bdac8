import { EventEmitter } from "node:events";
import type Dockerode from "dockerode";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../clock.js";
import { containerStarted } from "./container-started.js";

const notStarted = { State: { Running: false, StartedAt: "0001-01-01T00:00:00Z" } };
const running = { State: { Running: true, StartedAt: "2026-12-06T07:00:00Z" } };
const ended = { State: { Running: false, StartedAt: "2026-12-06T07:00:00Z" } };

/**
 * An engine whose events stream is `events` (undefined: the events cannot be read) and whose
 * container, inspected, is each of `states` in turn (undefined: not made yet), the last one after.
 */
function engine(states: (object | undefined)[], events?: EventEmitter) {
  let inspected = 0;
  const docker = {
    getEvents: async () => {
      if (!events) throw new Error("connect ENOENT /var/run/docker.sock");
      return Object.assign(events, { destroy: () => events.emit("destroyed") });
    },
    getContainer: () => ({
      inspect: async () => {
        const state = states[Math.min(inspected++, states.length - 1)];
        if (!state) throw Object.assign(new Error("no such container"), { statusCode: 404 });
        return state;
      },
    }),
  } as unknown as Dockerode;
  return { docker, inspections: () => inspected };
}

describe("containerStarted", () => {
  it("sees a start that no event shows, by inspecting the container until it has started", async () => {
    const clock = new ManualClock();
    const { docker, inspections } = engine([undefined, notStarted, notStarted, running]);
    let result: boolean | undefined;
    void containerStarted(docker, "tp-1", new AbortController().signal, clock).then((r) => (result = r));
    await clock.advance(1_000);
    expect(result).toBeUndefined();
    await clock.advance(1_000);
    expect(result).toBe(true);
    expect(inspections()).toBe(4);
  });

  it("takes a container that has already started and ended as started", async () => {
    const clock = new ManualClock();
    expect(await containerStarted(engine([ended]).docker, "tp-1", new AbortController().signal, clock)).toBe(
      true,
    );
  });

  it("resolves at the start event, before the next inspection", async () => {
    const clock = new ManualClock();
    const events = new EventEmitter();
    const { docker, inspections } = engine([notStarted], events);
    let result: boolean | undefined;
    void containerStarted(docker, "tp-1", new AbortController().signal, clock).then((r) => (result = r));
    await clock.advance(0);
    let destroyed = false;
    events.on("destroyed", () => (destroyed = true));
    events.emit("data", Buffer.from("{}"));
    await clock.advance(0);
    expect(result).toBe(true);
    expect(inspections()).toBe(1);
    expect(destroyed).toBe(true);
  });

  it("resolves false once told to stop, for a container that never starts", async () => {
    const clock = new ManualClock();
    const stop = new AbortController();
    const { docker } = engine([notStarted]);
    const result = containerStarted(docker, "tp-1", stop.signal, clock);
    await clock.advance(5_000);
    stop.abort();
    expect(await result).toBe(false);
  });
});
