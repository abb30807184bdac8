import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { TpError } from "../errors.js";
import { version } from "../version.js";
import type { RootfsSpec } from "./rootfs-image.js";

/** The root of the tp package (or checkout) this code runs from: dist/<part>/ is two levels down. */
export const packageRoot = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Users of images built from host files: root, tp (uid 1000, the image's default user) and
 * nobody. tp's primary group is root (0), as for any UID a cluster assigns (OpenShift's
 * restricted-v2): the image runs as any UID with group 0.
 */
export const imageUsers = {
  passwd:
    "root:x:0:0:root:/root:/bin/sh\ntp:x:1000:0:tp:/home/tp:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
  group: "root:x:0:\nnogroup:x:65534:\n",
  homes: ["/home/tp"],
};

export const imagePath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** The label that names the tp version an agent image was built for. */
export const versionLabel = "dev.tp.version";

/**
 * The Node flags of the image's entry (sidecar-image/tp-agent.cjs): V8 grows the old generation by
 * smaller steps (a sidecar with 1,000 connections open held about 3 MB less), and the young
 * generation stays at 1 MB semi-spaces (the flag implies --max-semi-space-size=1; Node 20 lets them
 * grow to 16 MB, which a sidecar with 1,000 connections open or a bulk transfer through it reaches,
 * resident once touched).
 */
export const agentNodeFlags = ["--optimize-for-size"];

/**
 * V8 code caches of the agent's bundles (see src/agent/launch.ts), made by running each role's
 * help with this machine's Node, the one the image gets, and the entry's flags: V8 refuses a
 * cache made under other flags.
 */
function writeCodeCaches(optTp: string): void {
  for (const name of readdirSync(optTp)) {
    // tp-agent.cjs (every role) and tp-agent-<role>.cjs; not the launcher itself.
    const match = /^tp-agent(?:-(\w+))?\.cjs$/.exec(name);
    if (!match || match[1] === "launch") continue;
    const role = match[1];
    const launch = join(optTp, "tp-agent-launch.cjs");
    execFileSync(process.execPath, [...agentNodeFlags, launch, ...(role ? [role] : []), "--help"], {
      env: { ...process.env, TP_AGENT_CODE_CACHE: "write" },
      stdio: "ignore",
    });
  }
}

/**
 * The tp-agent image from files on this machine: Node, busybox and iptables of the host, and the
 * agent's bundles, native addon, tp-listen and tp-udp from `agentDir` (dist/agent of the package).
 */
export function agentImageSpec(name: string, root: string = packageRoot): RootfsSpec {
  const agentDir = join(root, "dist/agent");
  const needed = ["tp-agent-launch.cjs", "original-dst.node", "tp-listen", "tp-udp", "libtp-preload.so"];
  const missing = needed.filter((f) => !existsSync(join(agentDir, f)));
  if (missing.length)
    throw new TpError("image-build", `${agentDir} lacks ${missing.join(", ")}`, {
      hint: "in a checkout of tp, run npm run build && npm run images (the package has them built)",
    });
  const bundles = readdirSync(agentDir)
    .filter((f) => f.endsWith(".cjs"))
    .sort();
  return {
    name,
    node: true,
    busybox: true,
    iptables: true,
    passwd: imageUsers,
    files: [
      ...bundles.map((f) => ({ from: join(agentDir, f), to: `/opt/tp/${f}` })),
      { from: join(agentDir, "original-dst.node"), to: "/opt/tp/original-dst.node" },
      { from: join(agentDir, "libtp-preload.so"), to: "/opt/tp/libtp-preload.so" },
      { from: join(root, "sidecar-image/tp-agent.cjs"), to: "/usr/local/bin/tp-agent", mode: 0o755 },
      { from: join(agentDir, "tp-listen"), to: "/usr/local/bin/tp-listen", mode: 0o755 },
      { from: join(agentDir, "tp-udp"), to: "/usr/local/bin/tp-udp", mode: 0o755 },
    ],
    config: {
      env: { PATH: imagePath },
      // A numeric non-root default (runAsNonRoot can verify it) with group 0: pods may run the
      // image as any UID (files are readable by all, /tmp and the home writable by group 0).
      user: "1000:0",
      entrypoint: ["/usr/local/bin/tp-agent"],
      cmd: ["--help"],
      labels: { [versionLabel]: version },
    },
    prepare: (rootfs) => writeCodeCaches(join(rootfs, "opt/tp")),
  };
}
