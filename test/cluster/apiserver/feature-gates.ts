import { readFileSync } from "node:fs";

/**
 * Feature gates, as `--feature-gates` gives them (`Name=true,Other=false`): from TP_FEATURE_GATES
 * at start, and from the file TP_FEATURE_GATES_FILE (default /run/tp-test-cluster/feature-gates),
 * read each time a gate is asked, so a test can switch a gate of the running cluster and back.
 */
const defaults: Record<string, boolean> = { PortForwardWebsockets: true };

function parse(text: string): Record<string, boolean> {
  const gates: Record<string, boolean> = {};
  for (const item of text.split(/[,\s]+/)) {
    const [name, value] = item.split("=");
    if (name && value !== undefined) gates[name] = value.toLowerCase() === "true";
  }
  return gates;
}

export function featureEnabled(name: string, env: NodeJS.ProcessEnv = process.env): boolean {
  let fromFile: Record<string, boolean> = {};
  try {
    fromFile = parse(readFileSync(env.TP_FEATURE_GATES_FILE ?? "/run/tp-test-cluster/feature-gates", "utf8"));
  } catch {
    /* no file: the start-up gates */
  }
  const gates = { ...defaults, ...parse(env.TP_FEATURE_GATES ?? ""), ...fromFile };
  return gates[name] ?? false;
}
