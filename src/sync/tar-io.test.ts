import {
  symlinkSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { afterEach, describe, expect, it } from "vitest";
import { extractTar, packPaths } from "./tar-io.js";
import { scanTree } from "./tree-scan.js";

/** Temporary folders, removed after each test. */
const dirs: string[] = [];
const dir = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("extractTar", () => {
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

describe("extractTar replacing files a program uses", () => {
  const size = 1024 * 1024;
  /** A stream of data/f (1 MiB, mode 0640) as bytes, and a folder where data/f holds "old". */
  async function setUp(): Promise<{ tar: Buffer; to: string; file: string }> {
    const from = dir("tp-tar-from-");
    mkdirSync(join(from, "data"));
    writeFileSync(join(from, "data/f"), Buffer.alloc(size, "n"), { mode: 0o640 });
    const tar = await buffer((await packPaths(from, ["data/f"], { recursive: false })) as Readable);
    const to = dir("tp-tar-to-");
    mkdirSync(join(to, "data"));
    writeFileSync(join(to, "data/f"), "old", { mode: 0o644 });
    return { tar, to, file: join(to, "data/f") };
  }

  /** Until the write has begun: a part beside the file, or the file itself changed. */
  async function writing(to: string, file: string): Promise<void> {
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline) {
      if (readdirSync(join(to, "data")).length > 1 || readFileSync(file, "utf8") !== "old") return;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error("the write did not begin within 5 s");
  }

  it("shows the old file until the new one is whole, then the new one with its mode", async () => {
    const { tar, to, file } = await setUp();
    const source = new PassThrough();
    const done = extractTar(to, source, { chown: false, replace: () => true });
    source.write(tar.subarray(0, 512 + size / 2));
    await writing(to, file);
    expect(readFileSync(file, "utf8")).toBe("old");
    expect(statSync(file).mode & 0o777).toBe(0o644);
    source.end(tar.subarray(512 + size / 2));
    await done;
    expect(readFileSync(file).equals(Buffer.alloc(size, "n"))).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(readdirSync(join(to, "data"))).toEqual(["f"]);
  });

  it("leaves the old file and no part when the stream is cut off", async () => {
    const { tar, to, file } = await setUp();
    const source = new PassThrough();
    const done = extractTar(to, source, { chown: false, replace: () => true });
    source.write(tar.subarray(0, 512 + size / 2));
    await writing(to, file);
    source.destroy(new Error("the tunnel dropped"));
    await expect(done).rejects.toThrow();
    expect(readFileSync(file, "utf8")).toBe("old");
    expect(readdirSync(join(to, "data"))).toEqual(["f"]);
  });

  it("writes a file with other hard links in place, so that each name sees the change", async () => {
    const { tar, to, file } = await setUp();
    linkSync(file, join(to, "data/other-name"));
    await extractTar(to, Readable.from([tar]), { chown: false, replace: () => true });
    expect(readFileSync(join(to, "data/other-name")).equals(Buffer.alloc(size, "n"))).toBe(true);
  });

  it("writes a file in place where it is not to be replaced (a mount of that one file)", async () => {
    const { tar, to, file } = await setUp();
    const source = new PassThrough();
    const done = extractTar(to, source, { chown: false, replace: (name) => name !== "data/f" });
    source.write(tar.subarray(0, 512 + size / 2));
    await writing(to, file);
    expect(readdirSync(join(to, "data"))).toEqual(["f"]);
    source.end(tar.subarray(512 + size / 2));
    await done;
    expect(readFileSync(file).equals(Buffer.alloc(size, "n"))).toBe(true);
  });

  /**
   * A stream of data/<blocked> (made by `make`) and data/g into a folder where data/<blocked> is a
   * folder holding a file: what extractTar names as failed, and the target.
   */
  async function blockedStream(blocked: string, make: (path: string) => void) {
    const from = dir("tp-tar-from-");
    mkdirSync(join(from, "data"));
    make(join(from, "data", blocked));
    writeFileSync(join(from, "data/g"), "new g");
    const tar = await packPaths(from, [`data/${blocked}`, "data/g"], { recursive: false });
    const to = dir("tp-tar-to-");
    mkdirSync(join(to, "data", blocked), { recursive: true });
    writeFileSync(join(to, "data", blocked, "inside"), "kept");
    const failed: string[] = [];
    await extractTar(to, tar as Readable, {
      chown: false,
      replace: () => true,
      onFailure: (path, err) => failed.push(`${path} ${err.code}`),
    });
    return { failed, to };
  }

  it("writes the rest of a stream when an entry cannot be written, and names that one", async () => {
    // A folder where the stream has a file: no one can write that file there.
    const { failed, to } = await blockedStream("f", (p) => writeFileSync(p, "new f"));
    expect(failed).toEqual([`${join(to, "data/f")} EISDIR`]);
    expect(readFileSync(join(to, "data/g"), "utf8")).toBe("new g");
    expect(readFileSync(join(to, "data/f/inside"), "utf8")).toBe("kept");
  });

  it("goes on past a link it cannot make where a folder is (tar-fs stopped there)", async () => {
    const { failed, to } = await blockedStream("l", (p) => symlinkSync("g", p));
    expect(failed.map((f) => f.split(" ")[0])).toEqual([join(to, "data/l")]);
    expect(readFileSync(join(to, "data/g"), "utf8")).toBe("new g");
    expect(readFileSync(join(to, "data/l/inside"), "utf8")).toBe("kept");
  });

  it("never lists or packs a part a crash left", async () => {
    const { to } = await setUp();
    writeFileSync(join(to, "data/.f.123-1.tp-part"), "half");
    expect([...(await scanTree(to)).entries.keys()].sort()).toEqual(["", "data", "data/f"]);
    const packed = (await buffer((await packPaths(to, ["data"], { recursive: true })) as Readable)).toString(
      "latin1",
    );
    expect(packed).toContain("data/f");
    expect(packed).not.toContain("tp-part");
  });
});
