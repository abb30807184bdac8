// Build tp with esbuild. Both the CLI and the agent are bundled with their dependencies and
// minified: Node then reads and compiles one file instead of resolving hundreds of modules, which
// is most of a command's start-up time. The agent (which runs in the tp-agent image, where there
// is no node_modules) is split per role, so that each role loads only its own code.
import { build } from "esbuild";
import { chmod, readdir, readFile, rm } from "node:fs/promises";
import { existsSync } from "node:fs";
import { lazyRequires } from "./lazy-requires.mjs";

/** The agent's roles, each with a bundle of its own (see sidecar-image/tp-agent.cjs). */
const agentRoles = JSON.parse(await readFile("src/agent/roles.json", "utf8"));

const common = {
  platform: "node",
  target: "node20",
  format: "esm",
  sourcemap: "linked",
  logLevel: "warning",
  // ESM bundles that contain CommonJS dependencies need require(), __filename and __dirname.
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
};

// CommonJS bundles: import.meta.url is derived from __filename.
const commonJs = {
  ...common,
  format: "cjs",
  banner: { js: "const __tpImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: { "import.meta.url": "__tpImportMetaUrl" },
};

// The CLI's program is CommonJS, so that its launcher (dist/cli/tp.js) can run it with V8's code
// cache (src/cli/code-cache.ts); the launcher itself is a few lines of ESM.
await build({
  ...commonJs,
  entryPoints: { "cli/tp-main": "src/cli/tp-main.ts" },
  outExtension: { ".js": ".cjs" },
  outdir: "dist",
  bundle: true,
  minify: true,
  // Optional native parts of dependencies (ssh2's crypto, cpu-features) stay optional.
  external: ["*.node", "cpu-features"],
  plugins: [lazyRequires],
});
// V8 keeps a script's source for as long as the script lives, one byte a character only if every
// character is Latin-1: a single one beyond (esbuild escapes those of strings, not of regular
// expressions) makes the CLI's 3.8 MB source 7.6 MB, twice over while it is compiled. The bundle
// stays ASCII: write such characters as escapes in the source.
{
  const source = await readFile("dist/cli/tp-main.cjs", "utf8");
  const at = source.search(/[^\x00-\x7f]/);
  if (at >= 0)
    throw new Error(`dist/cli/tp-main.cjs is not ASCII: ${JSON.stringify(source.slice(at - 40, at + 10))}`);
}
// The launcher is both a shell script and an ES module: sh runs its second line, which starts Node
// with `--` before the file, so that Node reads none of tp's arguments (it takes --env-file from
// anywhere before a `--`); to JavaScript that line is a string and a comment.
// --max-semi-space-size=1: V8's young generation stays at 1 MB semi-spaces. By default it grows to
// 16 MB ones (up to 48 MB of heap, resident once touched) as soon as the tunnel's buffers churn
// through it; kept small it costs no measurable CPU (buffers die young, each scavenge is short).
// Not --optimize-for-size, as the agent has (it implies this and also grows the old generation by
// smaller steps): the CLI's heap is four times the sidecar's, and the CLI took twice the CPU per
// GiB through the tunnel with it (bench:tunnel: 6.1 s against 2.7).
// --expose-gc: once a burst through the tunnel is over, the CLI collects the buffers it left
// before it gives the C heap's free pages back (src/tunnel/memory-trim.ts).
await build({
  ...common,
  banner: { js: '#!/bin/sh\n\':\' //; exec node --max-semi-space-size=1 --expose-gc -- "$0" "$@"' },
  entryPoints: { "cli/tp": "src/cli/tp.ts" },
  outdir: "dist",
  bundle: true,
});

// Bundles of an earlier agent build would otherwise end up in the image.
for (const f of existsSync("dist/agent") ? await readdir("dist/agent") : [])
  if (/^tp-agent.*\.c?js(\.map|\.cache)?$/.test(f)) await rm(`dist/agent/${f}`);

// The agent is CommonJS: Node starts a CommonJS file markedly faster than ES modules (no module
// graph to link), and every tunnel connection, pod start and sidecar start waits for it. Each role
// has a bundle of its own, tp-agent-<role>.cjs, which the image's entry script runs directly;
// tp-agent.cjs holds them all (help, version).
const agent = {
  ...commonJs,
  bundle: true,
  minify: true,
  // The native SO_ORIGINAL_DST addon is loaded at run time from beside the bundle.
  external: ["*.node"],
};
/** A bundle's entry: the given roles, each `src/agent/<role>/<role>-command.ts`, loaded when it runs. */
const rolesEntry = (roles, sourcefile) => ({
  contents: [
    'import { runAgent } from "./program.js";',
    "runAgent({",
    ...roles.map((r) => `  ${r}: async () => (await import("./${r}/${r}-command.js")).${r}Command,`),
    "});",
  ].join("\n"),
  resolveDir: "src/agent",
  sourcefile,
  loader: "ts",
});
await build({ ...agent, stdin: rolesEntry(agentRoles, "tp-agent.ts"), outfile: "dist/agent/tp-agent.cjs" });
// The image's entry: runs a role's bundle with the code cache made when the image was built.
await build({ ...agent, entryPoints: ["src/agent/launch.ts"], outfile: "dist/agent/tp-agent-launch.cjs" });
for (const role of agentRoles)
  await build({
    ...agent,
    stdin: rolesEntry([role], `tp-agent-${role}.ts`),
    outfile: `dist/agent/tp-agent-${role}.cjs`,
  });

// Extra bundles (for instance the test cluster) declare themselves in scripts/bundles/*.mjs.
if (existsSync("scripts/bundles")) {
  for (const f of (await readdir("scripts/bundles")).filter((f) => f.endsWith(".mjs")).sort()) {
    const { bundles } = await import(`./bundles/${f}`);
    for (const b of bundles) await build({ ...common, bundle: true, ...b });
  }
}

await chmod("dist/cli/tp.js", 0o755);
await chmod("dist/agent/tp-agent.cjs", 0o755);
