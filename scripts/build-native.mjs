// The agent's native parts, compiled on this machine into dist/agent (where the image builder
// and the npm package take them from): the SO_ORIGINAL_DST addon, tp-listen, tp-udp and
// the preload library of `tp run`. Each is redone
// only when its source is newer. Run as a script by `prepack`.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { compileStatic } from "./images/00-base.mjs";

/** Compile the SO_ORIGINAL_DST addon against this Node's headers when its source is newer. */
function buildAddon() {
  const src = "src/agent/native/original-dst.c";
  const out = "dist/agent/original-dst.node";
  if (existsSync(out) && statSync(out).mtimeMs >= statSync(src).mtimeMs) return out;
  const include = [join(dirname(process.execPath), "../include/node"), "/usr/include/node"].find((d) =>
    existsSync(join(d, "node_api.h")),
  );
  if (!include) throw new Error("Node's headers (node_api.h) are missing; install nodejs headers");
  mkdirSync(dirname(out), { recursive: true });
  execFileSync("cc", ["-shared", "-fPIC", "-O2", `-I${include}`, "-o", out, src], { stdio: "inherit" });
  return out;
}

/**
 * The preload library of `tp run` (src/agent/native/tp-preload.c), for the host's C library: the
 * CLI copies it out of the image, so the host needs no compiler.
 */
export function buildPreload(out = "dist/agent/libtp-preload.so") {
  const srcs = ["tp-preload.c", "tp-preload-names.c", "tp-preload-socks.c", "tp-preload.h"].map(
    (f) => `src/agent/native/${f}`,
  );
  if (existsSync(out) && srcs.every((src) => statSync(out).mtimeMs >= statSync(src).mtimeMs)) return out;
  mkdirSync(dirname(out), { recursive: true });
  const c = srcs.filter((f) => f.endsWith(".c"));
  // dlsym lives in libdl.so.2 before glibc 2.34 and in libc after: libdl.so.2 is named as needed
  // (it exists in both, a stub in the newer), so that the library loads on an older glibc too.
  const cc = (libdl) =>
    execFileSync("cc", ["-shared", "-fPIC", "-O2", "-Wall", "-Wextra", "-o", out, ...c, ...libdl], {
      stdio: "inherit",
    });
  try {
    cc(["-Wl,--no-as-needed", "-l:libdl.so.2"]);
  } catch {
    cc(["-ldl"]);
  }
  return out;
}

export function buildNative() {
  buildPreload();
  buildAddon();
  compileStatic("src/agent/native/tp-listen.c", "dist/agent/tp-listen");
  compileStatic("src/agent/native/tp-udp.c", "dist/agent/tp-udp");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) buildNative();
