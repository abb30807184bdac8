import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { extractTar, packPaths } from "./tar-io.js";

describe("extractTar", () => {
  const dirs: string[] = [];
  const dir = (prefix: string) => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  /** A stream of one file whose folders are not in it (as a fetch of that file sends it). */
  async function fileAlone(): Promise<NodeJS.ReadableStream> {
    const from = dir("tp-tar-from-");
    mkdirSync(join(from, "db/keys"), { recursive: true });
    writeFileSync(join(from, "db/keys/password"), "s3cr3t", { mode: 0o644 });
    return packPaths(from, ["db/keys/password"], { recursive: false });
  }

  it("makes the folders a file needs owner-only in a stream of Secrets", async () => {
    const to = dir("tp-tar-to-");
    await extractTar(to, (await fileAlone()) as never, {
      chown: false,
      ownerOnly: true,
      map: (h) => ({ ...h, mode: 0o600 }),
    });
    expect(readFileSync(join(to, "db/keys/password"), "utf8")).toBe("s3cr3t");
    expect(statSync(join(to, "db/keys/password")).mode & 0o777).toBe(0o600);
    expect(statSync(join(to, "db")).mode & 0o777).toBe(0o700);
    expect(statSync(join(to, "db/keys")).mode & 0o777).toBe(0o700);
  });

  it("keeps the stream's modes otherwise", async () => {
    const to = dir("tp-tar-to-");
    await extractTar(to, (await fileAlone()) as never, { chown: false });
    expect(statSync(join(to, "db/keys/password")).mode & 0o777).toBe(0o644);
    expect(statSync(join(to, "db/keys")).mode & 0o777).toBe(0o755);
  });
});
