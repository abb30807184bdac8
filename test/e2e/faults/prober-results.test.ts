import { describe, expect, it } from "vitest";
import { proberResults } from "./prober-results.js";

describe("the prober's results", () => {
  const log = (...lines: string[]) => lines;

  it("counts a lone failure as no outage, and a failure after a timeout as one", () => {
    const r = proberResults(
      log("10.0 ok", "10.1 fail timeout@answer", "13.2 ok", "13.3 fail ECONNRESET@answer"),
      10,
      20,
    );
    expect(r).toMatchObject({ requests: 4, failures: 2, longestOutage: 0 });
    const run = proberResults(log("10.0 fail timeout@answer", "13.1 fail timeout@answer", "16.2 ok"), 10, 20);
    expect(run.longestOutage).toBeCloseTo(3.1);
  });

  it("takes a slow answer as going on with an outage under way, not as starting one", () => {
    const afterTimeout = proberResults(
      log("10.0 fail timeout@answer", "13.1 ok slow-2900ms", "16.1 ok"),
      10,
      20,
    );
    expect(afterTimeout.longestOutage).toBeCloseTo(3.1);
    const slowOnly = proberResults(log("10.0 ok slow-1200ms", "11.3 ok slow-1500ms", "12.9 ok"), 10, 20);
    expect(slowOnly).toMatchObject({
      failures: 0,
      longestOutage: 0,
      slowAt: ["0.00 s slow-1200ms", "1.30 s slow-1500ms"],
    });
  });

  it("reads only the lines between its two times", () => {
    expect(proberResults(log("9.9 fail timeout@answer", "10.5 ok", "20.1 fail x"), 10, 20)).toMatchObject({
      requests: 1,
      failures: 0,
    });
  });
});
