// The test cluster's two processes, each bundled into one file for the tp-test-cluster image
// (which has no node_modules). The node entry is skipped until it exists.
import { existsSync } from "node:fs";

const entries = {
  "test-cluster/apiserver": "test/cluster/apiserver/main.ts",
  "test-cluster/node": "test/cluster/node/main.ts",
};

export const bundles = Object.entries(entries)
  .filter(([, file]) => existsSync(file))
  .map(([out, file]) => ({
    entryPoints: { [out]: file },
    outdir: "dist",
    bundle: true,
    external: ["*.node"],
    // The banner (require, __dirname and __filename for CommonJS dependencies) is build.mjs's.
  }));
