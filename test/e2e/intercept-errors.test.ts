import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apply, requireCluster } from "./support/cluster.js";
import { runTp } from "./support/tp.js";
import { InterceptCase } from "./intercept-fixture.js";

let c: InterceptCase;

// A Deployment no Service selects.
const lonely = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: lonely }
spec:
  replicas: 1
  selector: { matchLabels: { app: lonely } }
  template:
    metadata: { labels: { app: lonely } }
    spec:
      containers: [{ name: lonely, image: tp-test-busybox:local, imagePullPolicy: Never, command: [sleep, "3600"] }]
`;

beforeAll(async () => {
  requireCluster();
  c = await InterceptCase.create("tp-intercept-bad");
  await apply(c.ns, lonely);
}, 120_000);

afterAll(async () => {
  await c?.dispose();
}, 120_000);

describe("tp docker-run --intercept with bad input", () => {
  it.each([
    [
      "--mirror with --swap-deployment",
      ["--swap-deployment", "web", "--mirror"],
      /^tp: --mirror goes with --intercept, not --swap-deployment/,
    ],
    [
      "a header without =",
      ["--intercept", "web", "--http-header", "x-dev"],
      /^tp: --http-header x-dev: expected KEY=VALUE/,
    ],
    [
      "a filter without --intercept",
      ["--http-header", "x-dev=a"],
      /^tp: --http-header goes with --intercept/,
    ],
    ["--mirror without --intercept", ["--mirror"], /^tp: --mirror goes with --intercept/],
    [
      "a path that is not one",
      ["--intercept", "web", "--http-path", "api"],
      /^tp: --http-path api: expected a path/,
    ],
    [
      "a workload that no Service selects",
      ["--intercept", "lonely"],
      /^tp: no service selects the pods of deployment tp-intercept-bad-\w+\/lonely/,
    ],
    [
      "a Service whose ports do not match --expose",
      ["--intercept", "web", "--expose", "9000"],
      /^tp: --expose 9000: service tp-intercept-bad-\w+\/web sends no traffic there \(its ports: 80→8080\)/,
    ],
    [
      "a --service that does not select the pods",
      ["--intercept", "web", "--service", "nope"],
      /^tp: service "nope" does not select/,
    ],
  ])("refuses %s with one line and exit 2, before anything changes", async (_what, args, message) => {
    const before = await c.service();
    const r = await runTp(["docker-run", "-n", c.ns, ...args, "--", "tp-test-busybox:local", "true"]);
    expect(r.exitCode, r.stderr).toBe(2);
    // The message is one line of its own (a hint may follow; other sessions' warnings may come first).
    expect(
      r.stderr.split("\n").find((l) => message.test(l)),
      r.stderr,
    ).toBeDefined();
    expect(await c.service()).toEqual(before);
    expect(await c.tpObjects()).toEqual([]);
  });
});
