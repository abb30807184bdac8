import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { agentNodeFlags, packageRoot } from "./agent-image.js";

describe("agent image entry", () => {
  it("starts Node with the flags the image's code caches are made with", () => {
    // V8 refuses a code cache made under other flags: the roles would then compile at every start.
    const script = readFileSync(join(packageRoot, "sidecar-image/tp-agent.cjs"), "utf8");
    const [first] = script.split("\n");
    // Linux passes the rest of the first line to the interpreter as one argument: one flag.
    expect(agentNodeFlags).toHaveLength(1);
    expect(first).toBe(`#!/usr/bin/node ${agentNodeFlags[0]}`);
    expect(script).toContain(`require("/opt/tp/tp-agent-launch.cjs")`);
  });
});
