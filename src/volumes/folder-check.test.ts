import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { checkMountFolder } from "./folder-check.js";

describe("checkMountFolder", () => {
  const dir = mkdtempSync(join(tmpdir(), "tp-folder-check-"));
  afterEach(() => rmSync(join(dir, "x"), { recursive: true, force: true }));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("accepts a new folder under a writable one and leaves nothing behind", async () => {
    await checkMountFolder(join(dir, "x", "y"));
    expect(existsSync(join(dir, "x"))).toBe(false);
  });

  it("refuses a folder that cannot be made, even by root, and a folder with files", async () => {
    await expect(checkMountFolder("/proc/tp-no-such/v")).rejects.toThrow(/not writable/);
    writeFileSync(join(dir, "file"), "");
    await expect(checkMountFolder(dir)).rejects.toThrow(/must be new or empty/);
  });
});
