import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import { jumps } from "./service-rules.js";

const run = promisify(execFile);

/** Loads `rules` in one transaction: our chains are flushed and filled, nothing else is touched. */
export function restore(rules: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn("iptables-restore", ["--noflush"], { stdio: ["pipe", "ignore", "pipe"] });
    let err = "";
    p.stderr.on("data", (d: Buffer) => (err += d.toString()));
    p.on("error", reject);
    p.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`iptables-restore exited ${code}: ${err.trim()}`)),
    );
    p.stdin.end(rules);
  });
}

/** Hooks our chains into the built-in ones, once each (a restarted node finds them there). */
export async function ensureJumps(): Promise<void> {
  for (const [table, from, to] of jumps) {
    const rule = [from, "-m", "comment", "--comment", "tp test cluster services", "-j", to];
    const present = await run("iptables", ["-t", table, "-C", ...rule]).then(
      () => true,
      () => false,
    );
    if (!present) await run("iptables", ["-t", table, "-I", ...rule]);
  }
}
