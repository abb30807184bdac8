// Build tp with esbuild: the CLI keeps its dependencies in node_modules, while the agent (which
// runs in the tp-agent image, where there is no node_modules) is bundled into a single file.
import { build } from "esbuild";
import { chmod, readdir } from "node:fs/promises";
import { existsSync } from "node:fs";

const common = {
  platform: "node",
  target: "node20",
  format: "esm",
  sourcemap: "linked",
  logLevel: "warning",
  // ESM bundles that contain CommonJS dependencies need require().
  banner: {
    js: "import { createRequire as __tpCreateRequire } from 'node:module'; const require = __tpCreateRequire(import.meta.url);",
  },
};

await build({
  ...common,
  entryPoints: { "cli/tp": "src/cli/tp.ts" },
  outdir: "dist",
  bundle: true,
  packages: "external",
});

await build({
  ...common,
  entryPoints: { "agent/tp-agent": "src/agent/main.ts" },
  outdir: "dist",
  bundle: true,
  // The native SO_ORIGINAL_DST addon is loaded at run time from beside the bundle.
  external: ["*.node"],
});

// Extra bundles (for instance the test cluster) declare themselves in scripts/bundles/*.mjs.
if (existsSync("scripts/bundles")) {
  for (const f of (await readdir("scripts/bundles")).filter((f) => f.endsWith(".mjs")).sort()) {
    const { bundles } = await import(`./bundles/${f}`);
    for (const b of bundles) await build({ ...common, bundle: true, ...b });
  }
}

await chmod("dist/cli/tp.js", 0o755);
await chmod("dist/agent/tp-agent.js", 0o755);
