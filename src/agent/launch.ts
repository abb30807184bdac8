import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compileCommonJs, runCommonJs } from "../run-commonjs.js";
import agentRoles from "./roles.json" with { type: "json" };

/**
 * The image's entry (tp-agent ROLE ...): runs the role's own bundle, tp-agent-<role>.cjs (or
 * tp-agent.cjs, every role, for help and version), with the V8 code cache made for it when the
 * image was built (tp-agent-<role>.cjs.cache): a role then starts without compiling its bundle.
 * With TP_AGENT_CODE_CACHE=write, the run writes that cache (run `tp-agent ROLE --help` so).
 */
const roles = new Set<string>(agentRoles);
const role = process.argv[2] ?? "";
const file = join(__dirname, roles.has(role) ? `tp-agent-${role}.cjs` : "tp-agent.cjs");
const cacheFile = `${file}.cache`;
let cached: Buffer | undefined;
try {
  cached = readFileSync(cacheFile);
} catch {
  // No cache: V8 compiles the bundle.
}
const script = compileCommonJs(file, cached);
if (process.env.TP_AGENT_CODE_CACHE === "write")
  process.once("exit", () => writeFileSync(cacheFile, script.createCachedData()));
runCommonJs(script, file);
