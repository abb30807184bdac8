// tp-node-base: Node and busybox from this machine; the other images start from it.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";

export const nodeBase = "tp-node-base:local";

/** Compile a small static C program into `out` when its source is newer; returns `out`. */
export function compileStatic(src, out) {
  if (existsSync(out) && statSync(out).mtimeMs >= statSync(src).mtimeMs) return out;
  mkdirSync(dirname(out), { recursive: true });
  execFileSync("cc", ["-static", "-O2", "-Wall", "-o", out, src], { stdio: "inherit" });
  return out;
}

export async function images() {
  const { imagePath, imageUsers } = await import(join(process.cwd(), "dist/tools/images.js"));
  return [
    { name: nodeBase, node: true, busybox: true, passwd: imageUsers, config: { env: { PATH: imagePath } } },
  ];
}
