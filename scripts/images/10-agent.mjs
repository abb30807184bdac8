// tp-agent:<version>: the agent bundle, its native addon and iptables, on the Node base.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { compileStatic, nodeBase } from "./00-base.mjs";

const version = JSON.parse(readFileSync("package.json", "utf8")).version;

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
 * V8 code caches of the agent's bundles (see src/agent/launch.ts), made by running each role's
 * help with this machine's Node, the one the image gets; redone when a bundle is newer.
 */
function writeCodeCaches() {
  for (const name of readdirSync("dist/agent")) {
    // tp-agent.cjs (every role) and tp-agent-<role>.cjs; not the launcher itself.
    const match = /^tp-agent(?:-(\w+))?\.cjs$/.exec(name);
    if (!match || match[1] === "launch") continue;
    const role = match[1];
    const bundle = `dist/agent/${name}`;
    const cache = `${bundle}.cache`;
    if (existsSync(cache) && statSync(cache).mtimeMs >= statSync(bundle).mtimeMs) continue;
    execFileSync(process.execPath, ["dist/agent/tp-agent-launch.cjs", ...(role ? [role] : []), "--help"], {
      env: { ...process.env, TP_AGENT_CODE_CACHE: "write" },
      stdio: "ignore",
    });
  }
}

export async function images() {
  writeCodeCaches();
  const addon = buildAddon();
  const listen = compileStatic("src/agent/native/tp-listen.c", "dist/agent/tp-listen");
  return [
    {
      name: `tp-agent:${version}`,
      base: nodeBase,
      iptables: true,
      files: [
        // The agent bundle and the bundles of its roles.
        ...readdirSync("dist/agent")
          .filter((f) => f.endsWith(".cjs") || f.endsWith(".cjs.cache"))
          .sort()
          .map((f) => ({ from: `dist/agent/${f}`, to: `/opt/tp/${f}` })),
        { from: addon, to: "/opt/tp/original-dst.node" },
        { from: "sidecar-image/tp-agent.sh", to: "/usr/local/bin/tp-agent", mode: 0o755 },
        { from: listen, to: "/usr/local/bin/tp-listen", mode: 0o755 },
      ],
      config: { user: "1000:1000", entrypoint: ["/usr/local/bin/tp-agent"], cmd: ["--help"] },
    },
  ];
}
