#!/usr/bin/env node
// Build tp's images without pulling anything: each image is a rootfs assembled from files on this
// machine (the Node binary and the libraries it links, iptables, busybox, built bundles) and
// turned into an image with `FROM scratch` + `COPY` (src/docker/rootfs-image.ts, bundled by
// `npm run build` as dist/tools/images.js). An image is rebuilt only when a hash of its inputs
// changed, so a run with nothing to do takes a second or two.
//
// Image specs live in scripts/images/*.mjs; each exports `images`, a list of RootfsSpec.
// Usage: node scripts/build-images.mjs [name-prefix...]
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";

const root = join(dirname(new URL(import.meta.url).pathname), "..");
process.chdir(root);
if (!existsSync("dist/tools/images.js"))
  throw new Error("dist/tools/images.js is missing: run npm run build first");
const { buildRootfsImage } = await import(join(root, "dist/tools/images.js"));

const specs = [];
for (const f of readdirSync(join(root, "scripts/images"))
  .filter((f) => f.endsWith(".mjs"))
  .sort()) {
  const mod = await import(join(root, "scripts/images", f));
  specs.push(...(await mod.images()));
}
// Bases first: an image whose base is built here waits for it.
specs.sort((a, b) => (a.base ? 1 : 0) - (b.base ? 1 : 0));
const only = process.argv.slice(2);
const started = Date.now();
for (const spec of specs) {
  if (only.length && !only.some((p) => spec.name.startsWith(p))) continue;
  await buildRootfsImage(spec, (line) => console.error(`images: ${line}`));
}
console.error(`images: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
