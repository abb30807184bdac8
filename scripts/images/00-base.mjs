// tp-node-base: Node and busybox from this machine; the other images start from it.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { dirname } from "node:path";

export const nodeBase = "tp-node-base:local";

/** Compile a small static C program into `out` when its source is newer; returns `out`. */
export function compileStatic(src, out) {
  if (existsSync(out) && statSync(out).mtimeMs >= statSync(src).mtimeMs) return out;
  mkdirSync(dirname(out), { recursive: true });
  execFileSync("cc", ["-static", "-O2", "-Wall", "-o", out, src], { stdio: "inherit" });
  return out;
}

export async function images() {
  return [
    {
      name: nodeBase,
      node: true,
      busybox: true,
      passwd: {
        passwd:
          "root:x:0:0:root:/root:/bin/sh\ntp:x:1000:1000:tp:/home/tp:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
        group: "root:x:0:\ntp:x:1000:\nnogroup:x:65534:\n",
        homes: ["/home/tp"],
      },
      config: { env: { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" } },
    },
  ];
}
