import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import { TpError } from "../../errors.js";

const run = promisify(execFile);

const hint = "the sidecar needs root and the NET_ADMIN capability (docker run --cap-add NET_ADMIN)";

/** Run iptables (or `ip`) invocations in order; the first failure stops with a TpError naming it. */
export async function applyIptables(rules: string[][], binary = "iptables"): Promise<void> {
  for (const args of rules) {
    try {
      await run(binary, args);
    } catch (err) {
      const stderr = (err as { stderr?: string }).stderr?.trim() ?? String(err);
      throw new TpError("config", `${binary} ${args.join(" ")} failed: ${stderr}`, { hint, cause: err });
    }
  }
}

/**
 * Invocations of the nat table (`-w -t nat -N CHAIN` and `-w -t nat -A ...`, as redirectRules
 * makes them) as one iptables-restore input that leaves the table's other rules alone.
 */
export function natRestoreInput(rules: string[][]): string {
  for (const args of rules) {
    const action = args.find((a) => a === "-N" || a === "-A" || a === "-F" || a === "-I" || a === "-D");
    if (
      !args.includes("-t") ||
      args[args.indexOf("-t") + 1] !== "nat" ||
      (action !== "-N" && action !== "-A")
    )
      throw new Error(`not a nat -N/-A invocation: ${args.join(" ")}`);
  }
  return restoreInput(rules);
}

/**
 * `-w -t TABLE -N CHAIN` and `-w -t TABLE -A ...` invocations as one iptables-restore input, one
 * section per table in the order the tables first appear; the tables' other rules stay.
 */
export function restoreInput(rules: string[][]): string {
  const tables = new Map<string, string[]>();
  for (const args of rules) {
    const rest = args.filter((a, i) => a !== "-w" && a !== "-t" && args[i - 1] !== "-t");
    const table = args.includes("-t") ? args[args.indexOf("-t") + 1] : undefined;
    if (!table || !["-N", "-A"].includes(rest[0] ?? ""))
      throw new Error(`not a -t TABLE -N/-A invocation: ${args.join(" ")}`);
    const lines = tables.get(table) ?? [];
    lines.push(rest[0] === "-N" ? `:${rest[1]} - [0:0]` : rest.join(" "));
    tables.set(table, lines);
  }
  return [...tables].flatMap(([table, lines]) => [`*${table}`, ...lines, "COMMIT"]).join("\n") + "\n";
}

/**
 * Apply rules with one iptables-restore (--noflush): one process instead of one per rule, and the
 * rules appear together. Chains are created by it.
 */
export async function restoreRules(rules: string[][], binary = "iptables-restore"): Promise<void> {
  const input = restoreInput(rules);
  const child = spawn(binary, ["--noflush", "--wait"], { stdio: ["pipe", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
  const code = await new Promise<number | Error>((resolve) => {
    child.on("error", resolve);
    child.on("close", (c) => resolve(c ?? 1));
    child.stdin.on("error", () => undefined);
    child.stdin.end(input);
  });
  if (code !== 0)
    throw new TpError(
      "config",
      `${binary} failed: ${code instanceof Error ? code.message : stderr.trim() || `exit code ${code}`}`,
      { hint, cause: code instanceof Error ? code : undefined },
    );
}
