import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { exitWithin, expectShortOutage, faultCasePool, reach, stages } from "./matrix.js";

// SIGINT and SIGTERM at every stage of a session: tp undoes everything itself before it exits
// (130 / 143), whatever was under way. The cases run side by side, each in a namespace of the pool.
const withCase = faultCasePool("tp-signals", 4, { prober: true });
const signals = [
  ["SIGINT", 130],
  ["SIGTERM", 143],
] as const;

describe.concurrent("an interrupted session is undone by tp before it exits", () => {
  for (const stage of stages)
    for (const [signal, code] of signals)
      it(`${signal} at ${stage}`, { timeout: 400_000 }, () =>
        withCase(async (c) => {
          const { tp, id } = await reach(c, stage);
          const from = await c.proberNow();
          // Up, but its container not started yet (as while a slow one is made): the workload's
          // own pods keep serving however long that takes.
          if (stage === "session-up") await new Promise((r) => setTimeout(r, 7_000));
          // Straight to tp: a restore may take longer than execa's kill() waits before its SIGKILL.
          tp.signal(signal);
          expect(await exitWithin(tp, 30_000), tp.stderr).toBe(code);
          // Undone by tp itself before it exited: nothing is left for the warden or tp cleanup.
          await c.expectClusterRestored(5_000);
          expect(await c.localLeftovers(id)).toEqual([]);
          expect(readdirSync(c.tmp)).toEqual([]);
          // At `restoring` the user's container has already ended: the outage it leaves is the
          // pause's own, not tp's.
          if (stage !== "restoring") await expectShortOutage(c, from);
        }),
      );
});
