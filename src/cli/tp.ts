#!/usr/bin/env node
// The tp command: runs the bundled program (tp-main.cjs, built from tp-main.ts) with V8's code
// cache, so that a command starts without compiling the whole bundle again.
import { fileURLToPath } from "node:url";
import { runWithCodeCache } from "./code-cache.js";

runWithCodeCache(fileURLToPath(new URL("./tp-main.cjs", import.meta.url)));
