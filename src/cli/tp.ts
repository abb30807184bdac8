// The tp command: runs the bundled program (tp-main.cjs, built from tp-main.ts) with V8's code
// cache, so that a command starts without compiling the whole bundle again.
//
// The built file starts as a shell script (see scripts/build.mjs) that runs
// `node FLAGS -- FILE ARGS`: Node looks through its whole command line for --env-file (and loads
// or fails on it) up to a `--` only, so tp's own --env-file must come after one.
import { fileURLToPath } from "node:url";
import { runWithCodeCache } from "./code-cache.js";

runWithCodeCache(fileURLToPath(new URL("./tp-main.cjs", import.meta.url)));
