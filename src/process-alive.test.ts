import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { psFields } from "./process-alive.js";

// The `ps` way is the one macOS and the BSDs take (no /proc); Linux's procps answers it the same.
describe("psFields", () => {
  it("gives a running process's state and a start time that does not change", () => {
    const a = psFields(process.pid);
    expect(a?.state).toMatch(/^[RSD]$/);
    expect(a?.started).toMatch(/^\w{3} \w{3} \d{1,2} \d\d:\d\d:\d\d \d{4}$/);
    expect(psFields(process.pid)).toEqual(a);
  });

  it("tells two processes apart by start time, and knows an ended one is gone", async () => {
    const first = spawn("sleep", ["30"], { stdio: "ignore" });
    await once(first, "spawn");
    await new Promise((r) => setTimeout(r, 1_100)); // lstart counts seconds
    const second = spawn("sleep", ["30"], { stdio: "ignore" });
    await once(second, "spawn");
    try {
      const [a, b] = [psFields(first.pid as number), psFields(second.pid as number)];
      expect(a?.started).toBeDefined();
      expect(b?.started).toBeDefined();
      expect(a?.started).not.toEqual(b?.started);
    } finally {
      first.kill();
      second.kill();
      await Promise.all([once(first, "exit"), once(second, "exit")]);
    }
    expect(psFields(first.pid as number)).toBeUndefined();
  });

  it("says nothing for an id that is no process", () => {
    expect(psFields(0)).toBeUndefined();
    expect(psFields(-1)).toBeUndefined();
    expect(psFields(2 ** 22 + 12345)).toBeUndefined();
  });
});
