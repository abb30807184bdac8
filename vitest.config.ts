import { defineConfig } from "vitest/config";

/**
 * End-to-end files that must have the Docker engine and the test cluster to themselves: one pauses
 * the API server, one runs `tp cleanup` of no namespace, two build images other files use, and the
 * others bound a time in seconds (an outage, tp doctor's answer, a pod's start, a lookup), which
 * another file's load would stretch (tp doctor took over 10 s so). They run one at a time once the
 * other files are done.
 */
const alone = [
  "test/e2e/faults/api-pause.test.ts",
  "test/e2e/faults/signals.test.ts",
  "test/e2e/faults/deaths.test.ts",
  "test/e2e/faults/project.test.ts",
  "test/e2e/signal-hand-back.test.ts",
  "test/e2e/cleanup-safety.test.ts",
  "test/e2e/install.test.ts",
  "test/e2e/rootfs-image.test.ts",
  "test/e2e/locked-down.test.ts",
  "test/e2e/cluster-node-pods.test.ts",
  "test/e2e/tunnel-session.test.ts",
  "test/e2e/docker-run-swap.test.ts",
];

const e2e = {
  testTimeout: 120_000,
  hookTimeout: 120_000,
  // The fault suite's kill -9 cases (one per stage) share the warden's 60 s side by side.
  maxConcurrency: 10,
  globalSetup: ["test/e2e/global-setup.ts"],
};

export default defineConfig({
  test: {
    reporters: ["default", "json"],
    outputFile: { json: ".test-results.json" },
    projects: [
      {
        test: {
          name: "unit",
          include: ["src/**/*.test.ts", "test/cluster/**/*.test.ts"],
          // Unit files run side by side on two cores; those that wait for something (a sync over
          // a local tunnel, a server) give their waits deadlines of their own (15 s) and say what
          // they waited for: Vitest's 5 s must not cut them short first (a CI run saw a sync test
          // that takes 0.2-0.4 s alone stopped at 5 s, mid-wait).
          testTimeout: 30_000,
          maxWorkers: 2,
        },
      },
      {
        test: {
          // Each file makes its own namespaces, sessions and containers, and looks only at those:
          // two files run side by side on one Docker engine and one test cluster.
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          exclude: alone,
          maxWorkers: 2,
          ...e2e,
        },
      },
      {
        test: {
          name: "e2e-alone",
          include: alone,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
          ...e2e,
        },
      },
    ],
  },
});
