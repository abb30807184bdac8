import { execa } from "execa";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildRootfsImage } from "../../src/docker/rootfs-image.js";

const imageId = async (ref: string) =>
  (await execa("docker", ["image", "inspect", "-f", "{{.Id}}", ref], { reject: false })).stdout.trim() ||
  undefined;

describe("an image built again from changed files", () => {
  it("replaces the one it untags, unless a container still uses it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tp-rebuild-"));
    const name = `tp-test-rebuild-${process.pid}:local`;
    const file = join(dir, "data.txt");
    const spec = { name, files: [{ from: file, to: "/data.txt" }], config: { cmd: ["/data.txt"] } };
    const ids: string[] = [];
    const container = `tp-test-rebuild-${process.pid}`;
    try {
      for (const content of ["one", "two", "three"]) {
        await writeFile(file, content);
        expect(await buildRootfsImage(spec)).toBe(true);
        ids.push((await imageId(name)) as string);
        // The second image is in use when the third is built.
        if (content === "two") await execa("docker", ["create", "--name", container, name]);
      }
      expect(new Set(ids).size).toBe(3);
      // The first image was untagged by the second build and removed: nothing dangles.
      expect(await imageId(ids[0] as string)).toBeUndefined();
      // The second is untagged, but a container uses it: it stays, for that container.
      expect(await imageId(ids[1] as string)).toBe(ids[1]);
      expect(await imageId(name)).toBe(ids[2]);
    } finally {
      await execa("docker", ["rm", "-f", container], { reject: false });
      await execa("docker", ["rmi", "-f", ...ids], { reject: false });
      await rm(dir, { recursive: true, force: true });
    }
  });
});
