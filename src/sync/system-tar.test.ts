import { execFileSync } from "node:child_process";
import { mkdtemp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { extractWithTar, systemTar } from "./system-tar.js";

/** A stream of `data` in small chunks, a tick apart (as a tar arrives over a tunnel). */
function slowly(data: Buffer): Readable {
  const chunks: Buffer[] = [];
  for (let i = 0; i < data.length; i += 4096) chunks.push(data.subarray(i, i + 4096));
  return Readable.from(
    (async function* () {
      for (const c of chunks) {
        await new Promise((r) => setImmediate(r));
        yield c;
      }
    })(),
  );
}

const tar = systemTar();

describe.runIf(tar)("extractWithTar", () => {
  let base: string;
  let archive: Buffer;

  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), "tp-systar-"));
    await mkdir(join(base, "src/dir"), { recursive: true });
    await writeFile(join(base, "src/dir/a.txt"), "a".repeat(20_000));
    archive = execFileSync(tar as string, ["-c", "-f", "-", "-C", join(base, "src"), "dir"]);
    await mkdir(join(base, "out"));
  });

  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it("takes zero blocks after the archive's end as padding, even when tar has already exited", async () => {
    const padded = Buffer.concat([archive, Buffer.alloc(200 * 1024)]);
    await extractWithTar(tar as string, join(base, "out"), slowly(padded));
    expect(await readFile(join(base, "out/dir/a.txt"), "utf8")).toBe("a".repeat(20_000));
  });

  it("fails on data after the archive's end", async () => {
    const extra = Buffer.concat([archive, Buffer.alloc(200 * 1024), Buffer.from("not padding")]);
    await expect(extractWithTar(tar as string, join(base, "out"), slowly(extra))).rejects.toThrow(
      /before the end of the stream/,
    );
  });

  it("fails on an archive cut short", async () => {
    const cut = archive.subarray(0, 1024 + 512 * 10);
    await expect(extractWithTar(tar as string, join(base, "out"), slowly(cut))).rejects.toThrow(
      /tar -x exited/,
    );
  });
});
