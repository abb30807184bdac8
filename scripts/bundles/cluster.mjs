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
    // CommonJS dependencies of an ESM bundle need require, __dirname and __filename.
    banner: {
      js: [
        "import { createRequire as __tpCreateRequire } from 'node:module';",
        "import { fileURLToPath as __tpFileURLToPath } from 'node:url';",
        "import { dirname as __tpDirname } from 'node:path';",
        "const require = __tpCreateRequire(import.meta.url);",
        "const __filename = __tpFileURLToPath(import.meta.url);",
        "const __dirname = __tpDirname(__filename);",
      ].join(" "),
    },
  }));
