import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { Script } from "node:vm";

/**
 * A CommonJS file compiled as Node wraps a module, with V8's code cache when one is given (a
 * cache V8 refuses, made by another build or Node, is ignored: script.cachedDataRejected).
 */
export function compileCommonJs(file: string, cachedData?: Buffer): Script {
  // A first line "#!..." is a comment to Node's own loader: it stays one here.
  const source = readFileSync(file, "utf8").replace(/^#!/, "//");
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  return new Script(wrapped, { filename: file, cachedData });
}

/** Run a script from compileCommonJs as the module `file`. */
export function runCommonJs(script: Script, file: string): void {
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  const module = { exports: {} };
  run.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
}
