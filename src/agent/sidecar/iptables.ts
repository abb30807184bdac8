import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { TpError } from "../../errors.js";

const run = promisify(execFile);

/** Run iptables invocations in order; the first failure stops with a TpError naming the rule. */
export async function applyIptables(rules: string[][], binary = "iptables"): Promise<void> {
  for (const args of rules) {
    try {
      await run(binary, args);
    } catch (err) {
      const stderr = (err as { stderr?: string }).stderr?.trim() ?? String(err);
      throw new TpError("config", `iptables ${args.join(" ")} failed: ${stderr}`, {
        hint: "the sidecar needs root and the NET_ADMIN capability (docker run --cap-add NET_ADMIN)",
        cause: err,
      });
    }
  }
}
