import { defineConfig } from "vitest/config";

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
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // End-to-end files share one Docker engine and one test cluster.
          fileParallelism: false,
          // The fault suite's kill -9 cases (one per stage) share the warden's 60 s side by side.
          maxConcurrency: 10,
          globalSetup: ["test/e2e/global-setup.ts"],
        },
      },
    ],
  },
});
