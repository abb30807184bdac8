import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    reporters: ["default", "json"],
    outputFile: { json: ".test-results.json" },
    projects: [
      {
        test: { name: "unit", include: ["src/**/*.test.ts", "test/cluster/**/*.test.ts"] },
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
