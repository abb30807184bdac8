import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { chmod, cp, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { TpError } from "../errors.js";

/**
 * An image assembled from files on this machine, without pulling anything: a rootfs of host
 * files (the Node binary and the libraries it links, iptables, busybox, built bundles) turned
 * into an image with `FROM scratch` + `COPY`. The same code builds tp's images in development
 * (scripts/build-images.mjs) and `tp agent-image build` from the installed package.
 */
export interface RootfsSpec {
  name: string;
  /** An image to start from instead of scratch (it must exist locally). */
  base?: string;
  files?: { from: string; to: string; mode?: number }[];
  /** The Node binary running this process, as /usr/bin/node, with its libraries. */
  node?: boolean;
  /** busybox-static with a link for every applet, and the usual empty folders. */
  busybox?: boolean;
  /** xtables-nft-multi with its extensions, as iptables and ip6tables. */
  iptables?: boolean;
  passwd?: { passwd: string; group: string; homes?: string[] };
  dirs?: string[];
  symlinks?: [string, string][];
  config?: {
    entrypoint?: string[];
    cmd?: string[];
    user?: string;
    env?: Record<string, string>;
    workdir?: string;
    labels?: Record<string, string>;
  };
  /** Runs in the rootfs before the image is made, once its files are in place (code caches). */
  prepare?: (rootfs: string) => Promise<void> | void;
}

type Expanded = Required<Pick<RootfsSpec, "files" | "symlinks" | "dirs">> & RootfsSpec;

/** Shared libraries a binary links, as absolute paths (ldd). */
function libsOf(binary: string): string[] {
  const out = execFileSync("ldd", [binary], { encoding: "utf8" });
  const libs: string[] = [];
  for (const line of out.split("\n")) {
    const m = /=>\s+(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m?.[1]) libs.push(m[1]);
  }
  return libs;
}

function which(cmd: string, pkg: string): string {
  // sbin folders too: iptables lives there, and a user's PATH often lacks them.
  const path = [process.env["PATH"] ?? "", "/usr/local/sbin", "/usr/sbin", "/sbin"].join(":");
  const r = spawnSync("sh", ["-c", `command -v ${cmd}`], {
    encoding: "utf8",
    env: { ...process.env, PATH: path },
  });
  if (r.status !== 0)
    throw new TpError("image-build", `${cmd} is not installed on this machine`, {
      hint: `install ${pkg} (Debian: apt-get install ${pkg})`,
    });
  return r.stdout.trim();
}

/** The high-level parts of a spec (node, busybox, iptables) as plain file copies. */
export function expandSpec(spec: RootfsSpec): Expanded {
  const files = [...(spec.files ?? [])];
  const symlinks = [...(spec.symlinks ?? [])];
  const dirs = [...(spec.dirs ?? [])];
  const addBinary = (path: string, to = path) => {
    files.push({ from: path, to });
    for (const lib of libsOf(path)) files.push({ from: lib, to: lib });
  };
  if (spec.node) addBinary(realpathSync(process.execPath), "/usr/bin/node");
  if (spec.busybox) {
    const bb = existsSync("/bin/busybox") ? "/bin/busybox" : which("busybox", "busybox-static");
    files.push({ from: bb, to: "/bin/busybox" });
    const applets = execFileSync(bb, ["--list-full"], { encoding: "utf8" }).split("\n").filter(Boolean);
    for (const a of applets) if (a !== "bin/busybox") symlinks.push([`/${a}`, "/bin/busybox"]);
    dirs.push("/tmp", "/var/run", "/run", "/root", "/home");
  }
  if (spec.iptables) {
    const multi = realpathSync(which("xtables-nft-multi", "iptables"));
    addBinary(multi, "/usr/sbin/xtables-nft-multi");
    for (const n of [
      "iptables",
      "iptables-save",
      "iptables-restore",
      "ip6tables",
      "ip6tables-save",
      "ip6tables-restore",
    ])
      symlinks.push([`/usr/sbin/${n}`, "xtables-nft-multi"]);
    const extDir = [
      "/usr/lib/x86_64-linux-gnu/xtables",
      "/usr/lib/aarch64-linux-gnu/xtables",
      "/usr/lib/xtables",
    ].find((d) => existsSync(d));
    if (!extDir)
      throw new TpError("image-build", "iptables extensions (xtables) not found", {
        hint: "install iptables",
      });
    for (const f of readdirSync(extDir).filter((f) => f.endsWith(".so"))) addBinary(join(extDir, f));
    for (const f of ["/etc/protocols", "/etc/services", "/etc/ethertypes"])
      if (existsSync(f)) files.push({ from: f, to: f });
    dirs.push("/run", "/var/lib");
  }
  const seen = new Map<string, { from: string; to: string; mode?: number }>();
  for (const f of files) seen.set(f.to, f);
  return { ...spec, files: [...seen.values()], symlinks, dirs };
}

/** A hash of everything that goes into an image: the spec and each input file's contents. */
export function inputsHash(spec: Expanded, baseId: string | undefined): string {
  const h = createHash("sha256");
  h.update(JSON.stringify({ ...spec, files: undefined, prepare: spec.prepare ? "prepare" : undefined }));
  h.update(baseId ?? "");
  h.update(process.version);
  for (const f of spec.files) {
    const st = statSync(f.from);
    // Contents decide; only very large files (the Node binary) are known by size and mtime.
    const big = st.size > 32 * 1024 * 1024;
    // Where a file comes from does not matter (a checkout or an installed package), only its bytes.
    h.update(`${f.to}\0${st.size}\0${big ? st.mtimeMs : ""}\0${f.mode ?? ""}\n`);
    if (!big) h.update(readFileSync(f.from));
  }
  return h.digest("hex").slice(0, 16);
}

function inspect(name: string, format: string): string | undefined {
  const r = spawnSync("docker", ["image", "inspect", "--format", format, name], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

async function writeRootfs(spec: Expanded, fsroot: string): Promise<void> {
  await mkdir(fsroot);
  for (const d of spec.dirs) await mkdir(join(fsroot, d), { recursive: true, mode: 0o1777 });
  if (spec.dirs.includes("/tmp")) await chmod(join(fsroot, "/tmp"), 0o1777);
  for (const f of spec.files) {
    const dest = join(fsroot, f.to);
    await mkdir(dirname(dest), { recursive: true });
    // Copy what a symlink points at, so the image needs no link chain from the host.
    await cp(lstatSync(f.from).isSymbolicLink() ? realpathSync(f.from) : f.from, dest, { dereference: true });
    if (f.mode !== undefined) await chmod(dest, f.mode);
  }
  for (const [link, target] of spec.symlinks) {
    const dest = join(fsroot, link);
    if (existsSync(dest)) continue;
    await mkdir(dirname(dest), { recursive: true });
    await symlink(target, dest);
  }
  if (spec.passwd) {
    await mkdir(join(fsroot, "etc"), { recursive: true });
    await writeFile(join(fsroot, "etc/passwd"), spec.passwd.passwd);
    await writeFile(join(fsroot, "etc/group"), spec.passwd.group);
    // Homes are writable by group 0, the group of any UID a cluster may run the image as.
    for (const home of spec.passwd.homes ?? []) {
      await mkdir(join(fsroot, home), { recursive: true });
      await chmod(join(fsroot, home), 0o775);
    }
  }
}

function dockerfile(spec: Expanded, hash: string): string {
  const c = spec.config ?? {};
  const lines = [spec.base ? `FROM ${spec.base}` : "FROM scratch", "COPY rootfs/ /"];
  for (const [k, v] of Object.entries(c.env ?? {})) lines.push(`ENV ${k}=${JSON.stringify(v)}`);
  if (c.workdir) lines.push(`WORKDIR ${c.workdir}`);
  if (c.user) lines.push(`USER ${c.user}`);
  if (c.entrypoint) lines.push(`ENTRYPOINT ${JSON.stringify(c.entrypoint)}`);
  if (c.cmd) lines.push(`CMD ${JSON.stringify(c.cmd)}`);
  for (const [k, v] of Object.entries(c.labels ?? {})) lines.push(`LABEL ${k}=${JSON.stringify(v)}`);
  lines.push(`LABEL dev.tp.inputs="${hash}"`);
  return lines.join("\n") + "\n";
}

/**
 * Build the image unless one of that name was built from the same inputs (label dev.tp.inputs).
 * Returns whether it built.
 */
export async function buildRootfsImage(
  raw: RootfsSpec,
  log: (line: string) => void = () => undefined,
): Promise<boolean> {
  const spec = expandSpec(raw);
  for (const f of spec.files)
    if (!existsSync(f.from)) throw new TpError("image-build", `${spec.name}: input ${f.from} is missing`);
  const baseId = spec.base ? inspect(spec.base, "{{ .Id }}") : undefined;
  if (spec.base && !baseId)
    throw new TpError("image-build", `${spec.name}: base image ${spec.base} does not exist`);
  const hash = inputsHash(spec, baseId);
  if (inspect(spec.name, '{{ index .Config.Labels "dev.tp.inputs" }}') === hash) {
    log(`${spec.name} is up to date`);
    return false;
  }
  const started = Date.now();
  const previous = inspect(spec.name, "{{ .Id }}");
  const dir = await mkdtemp(join(tmpdir(), "tp-image-"));
  try {
    await writeRootfs(spec, join(dir, "rootfs"));
    await spec.prepare?.(join(dir, "rootfs"));
    await writeFile(join(dir, "Dockerfile"), dockerfile(spec, hash));
    const r = spawnSync("docker", ["build", "-q", "-t", spec.name, dir], {
      encoding: "utf8",
      env: { ...process.env, DOCKER_BUILDKIT: "0" },
    });
    if (r.error || r.status !== 0)
      throw new TpError(
        "image-build",
        `${spec.name}: docker build failed: ${r.error?.message ?? r.stderr.trim()}`,
      );
    log(`built ${spec.name} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    // The image the name left is removed when nothing else names or uses it: each rebuild would
    // leave one behind (the agent's is over 100 MB). Docker refuses while a container uses it.
    if (previous && inspect(previous, "{{ len .RepoTags }}") === "0")
      spawnSync("docker", ["rmi", previous], { stdio: "ignore" });
    return true;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
