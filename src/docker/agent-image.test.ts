import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { agentNodeFlags, packageRoot } from "./agent-image.js";

describe("agent image entry", () => {
  it("starts Node with the flags the image's code caches are made with", () => {
    // V8 refuses a code cache made under other flags: the roles would then compile at every start.
    const script = readFileSync(join(packageRoot, "sidecar-image/tp-agent.sh"), "utf8");
    const exec = /^exec \/usr\/bin\/node (.*) \/opt\/tp\/tp-agent-launch\.cjs "\$@"$/m.exec(script);
    expect(exec?.[1]?.split(" ")).toEqual(agentNodeFlags);
  });
});
