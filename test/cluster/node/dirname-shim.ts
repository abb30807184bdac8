// Some CommonJS dependencies bundled into this ESM file (ssh2, through dockerode) read __dirname
// when they load; an ES module has none, so give them the bundle's folder before they load.
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

const g = globalThis as { __dirname?: string; __filename?: string };
g.__filename ??= fileURLToPath(import.meta.url);
g.__dirname ??= dirname(g.__filename);
