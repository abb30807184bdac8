import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSessionFolder } from "./session-folder.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tp-session-folder-test-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("createSessionFolder with --mount", () => {
  it("makes a new folder, and its missing parents, owner-only", async () => {
    const chosen = join(dir, "a", "b");
    await createSessionFolder("a1b2c3d4", chosen);
    expect(statSync(chosen).mode & 0o777).toBe(0o700);
  });

  it("takes an existing empty folder that is owner-only", async () => {
    const chosen = join(dir, "private");
    mkdirSync(chosen, { mode: 0o700 });
    await expect(createSessionFolder("a1b2c3d4", chosen)).resolves.toBe(chosen);
  });

  it("refuses an existing empty folder that others may read, before writing anything in it", async () => {
    const chosen = join(dir, "shared");
    mkdirSync(chosen, { mode: 0o755 });
    await expect(createSessionFolder("a1b2c3d4", chosen)).rejects.toThrow(
      `--mount ${chosen}: the folder must be private to you (mode 0755; the pod's secrets would be readable by others)`,
    );
    expect(statSync(chosen).mode & 0o777).toBe(0o755);
  });

  it("refuses a link to a folder", async () => {
    const target = join(dir, "target");
    mkdirSync(target, { mode: 0o700 });
    const link = join(dir, "link");
    symlinkSync(target, link);
    await expect(createSessionFolder("a1b2c3d4", link)).rejects.toThrow(/is a link/);
  });

  it("refuses a folder that is not empty", async () => {
    const chosen = join(dir, "full");
    mkdirSync(join(chosen, "x"), { recursive: true, mode: 0o700 });
    await expect(createSessionFolder("a1b2c3d4", chosen)).rejects.toThrow(/must be new or empty/);
  });
});
