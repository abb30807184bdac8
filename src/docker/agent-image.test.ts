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

describe("the registry image's Dockerfile", () => {
  it("builds the native parts with the one recipe the local image and the package use", () => {
    // A compile line of its own once built the preload library from one of its two sources: the
    // image it made answered no name lookups.
    const dockerfile = readFileSync(join(packageRoot, "sidecar-image/Dockerfile"), "utf8");
    expect(dockerfile).toContain("node scripts/build-native.mjs");
    expect(dockerfile).not.toMatch(/^\s*(RUN|&&)?\s*.*\bcc\s/m);
    for (const file of ["original-dst.node", "tp-listen", "tp-udp", "libtp-preload.so"])
      expect(dockerfile, file).toContain(`/src/dist/agent/${file}`);
  });
});
