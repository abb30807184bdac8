import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { featureEnabled } from "./feature-gates.js";

const dir = mkdtempSync(join(tmpdir(), "gates-"));
const file = join(dir, "feature-gates");
afterEach(() => rmSync(file, { force: true }));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("feature gates", () => {
  it("default on for PortForwardWebsockets, off for gates nobody named", () => {
    expect(featureEnabled("PortForwardWebsockets", { TP_FEATURE_GATES_FILE: file })).toBe(true);
    expect(featureEnabled("SomethingElse", { TP_FEATURE_GATES_FILE: file })).toBe(false);
  });

  it("come from TP_FEATURE_GATES as --feature-gates writes them, and the file wins while it is there", () => {
    const env = { TP_FEATURE_GATES: "PortForwardWebsockets=false,Other=true", TP_FEATURE_GATES_FILE: file };
    expect(featureEnabled("PortForwardWebsockets", env)).toBe(false);
    expect(featureEnabled("Other", env)).toBe(true);
    writeFileSync(file, "PortForwardWebsockets=true\n");
    expect(featureEnabled("PortForwardWebsockets", env)).toBe(true);
    rmSync(file);
    expect(featureEnabled("PortForwardWebsockets", env)).toBe(false);
  });
});
