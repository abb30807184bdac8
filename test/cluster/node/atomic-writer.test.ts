import { mkdtemp, readFile, readlink, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeAtomically } from "./atomic-writer.js";

describe("writeAtomically", () => {
  it("lays files out behind ..data and swaps them on change", async () => {
    const dir = await mkdtemp(join(tmpdir(), "aw-"));
    try {
      const p1 = new Map([
        ["a", { data: Buffer.from("1"), mode: 0o400 }],
        ["sub/b", { data: Buffer.from("2"), mode: 0o644 }],
      ]);
      expect(await writeAtomically(dir, p1)).toBe(true);
      expect(await readlink(join(dir, "a"))).toBe("..data/a");
      expect(await readlink(join(dir, "sub"))).toBe("..data/sub");
      expect((await readlink(join(dir, "..data"))).startsWith("..")).toBe(true);
      expect((await stat(join(dir, "a"))).mode & 0o777).toBe(0o400);
      expect(await readFile(join(dir, "sub/b"), "utf8")).toBe("2");
      expect(await writeAtomically(dir, p1)).toBe(false);

      const p2 = new Map([["c", { data: Buffer.from("3"), mode: 0o644 }]]);
      expect(await writeAtomically(dir, p2)).toBe(true);
      const names = (await readdir(dir)).filter((n) => !n.startsWith("..")).sort();
      expect(names).toEqual(["c"]);
      expect((await readdir(dir)).filter((n) => n.startsWith("..2")).length).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
