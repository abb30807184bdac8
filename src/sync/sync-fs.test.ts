import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { syncFs } from "./sync-fs.js";

describe("syncFs", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  // (Under the usual umask 022 a file opened with the default mode would be 0644.)
  it("creates a file owner-only, before anything is written to it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tp-syncfs-"));
    dirs.push(dir);
    const path = join(dir, "password");
    const ws = syncFs.createWriteStream(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    await new Promise<void>((resolve, reject) =>
      ws.end(Buffer.from("s3cr3t"), () => resolve()).on("error", reject),
    );
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(path).size).toBe(6);
  });

  it("never writes through a symlink", () => {
    const dir = mkdtempSync(join(tmpdir(), "tp-syncfs-"));
    dirs.push(dir);
    writeFileSync(join(dir, "target"), "kept");
    symlinkSync("target", join(dir, "link"));
    expect(() => syncFs.createWriteStream(join(dir, "link"))).toThrow(/ELOOP/);
    expect(readFileSync(join(dir, "target"), "utf8")).toBe("kept");
  });
});
