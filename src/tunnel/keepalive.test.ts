import type { Http2Session } from "node:http2";
import { afterEach, describe, expect, it } from "vitest";
import { superviseSession } from "./keepalive.js";

/** A session whose peer never answers a PING; what it reads is set by the test. */
function silentPeerSession() {
  const state = {
    bytesRead: 0,
    destroyedWith: undefined as Error | undefined,
    close: () => undefined as void,
  };
  const session = {
    connecting: false,
    destroyed: false,
    closed: false,
    socket: {
      get bytesRead() {
        return state.bytesRead;
      },
    },
    setLocalWindowSize: () => undefined,
    ping: () => true,
    once: (event: string, listener: () => void) => {
      if (event === "close") state.close = listener;
    },
    destroy(err: Error) {
      this.destroyed = true;
      state.destroyedWith = err;
      state.close();
    },
  };
  return { session, state };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("superviseSession", () => {
  const timers: NodeJS.Timeout[] = [];
  afterEach(() => timers.splice(0).forEach(clearInterval));

  it("ends a session from which nothing comes, PINGs unanswered", async () => {
    const { session, state } = silentPeerSession();
    superviseSession(session as unknown as Http2Session, { intervalMs: 10, deadAfterMs: 60 });
    await sleep(200);
    expect(state.destroyedWith?.message).toMatch(/no keepalive answer for 60 ms/);
  });

  it("keeps a session that reads, though its PINGs wait behind the data (a slow link)", async () => {
    const { session, state } = silentPeerSession();
    timers.push(setInterval(() => (state.bytesRead += 16_384), 5));
    superviseSession(session as unknown as Http2Session, { intervalMs: 10, deadAfterMs: 60 });
    await sleep(250);
    expect(state.destroyedWith).toBeUndefined();
    timers.splice(0).forEach(clearInterval);
    await sleep(200);
    expect(state.destroyedWith?.message).toMatch(/no keepalive answer/);
  });
});
