#!/usr/bin/env node
// Build tp's images without pulling anything: each image is a rootfs assembled from files on this
// machine (the Node binary and the libraries it links, iptables, busybox, built bundles) and
// turned into an image with `FROM scratch` + `COPY`. An image is rebuilt only when a hash of its
// inputs changed, so a run with nothing to do takes a second or two.
//
// Image specs live in scripts/images/*.mjs; each exports `images`, a list of
//   { name, base?, files: [{ from, to, mode? }], node?, busybox?, iptables?, passwd?, dirs?,
//     symlinks?: [[link, target]], config: { entrypoint?, cmd?, user?, env?, workdir? } }
// Usage: node scripts/build-images.mjs [name-prefix...]
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, realpathSync, lstatSync } from "node:fs";
import { cp, mkdir, mkdtemp, rm, symlink, writeFile, chmod } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const root = join(dirname(new URL(import.meta.url).pathname), "..");
process.chdir(root);

/** Shared libraries a binary links, as absolute paths (ldd). */
function libsOf(binary) {
  const out = execFileSync("ldd", [binary], { encoding: "utf8" });
  const libs = [];
  for (const line of out.split("\n")) {
    const m = /=>\s+(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m) libs.push(m[1]);
  }
  return libs;
}

function which(cmd) {
  const r = spawnSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} not found on this machine; run scripts/ensure-docker.sh first`);
  return r.stdout.trim();
}

/** Expand the high-level parts of a spec (node, busybox, iptables) into plain file copies. */
function expand(spec) {
  const files = [...(spec.files ?? [])];
  const symlinks = [...(spec.symlinks ?? [])];
  const dirs = [...(spec.dirs ?? [])];
  const addBinary = (path, to = path) => {
    files.push({ from: path, to });
    for (const lib of libsOf(path)) files.push({ from: lib, to: lib });
  };
  if (spec.node) addBinary(realpathSync(process.execPath), "/usr/bin/node");
  if (spec.busybox) {
    const bb = existsSync("/bin/busybox") ? "/bin/busybox" : which("busybox");
    files.push({ from: bb, to: "/bin/busybox" });
    const applets = execFileSync(bb, ["--list-full"], { encoding: "utf8" }).split("\n").filter(Boolean);
    for (const a of applets) if (a !== "bin/busybox") symlinks.push([`/${a}`, "/bin/busybox"]);
    dirs.push("/tmp", "/var/run", "/run", "/root", "/home");
  }
  if (spec.iptables) {
    const multi = realpathSync(which("xtables-nft-multi"));
    addBinary(multi, "/usr/sbin/xtables-nft-multi");
    for (const n of [
      "iptables",
      "iptables-save",
      "iptables-restore",
      "ip6tables",
      "ip6tables-save",
      "ip6tables-restore",
    ]) {
      symlinks.push([`/usr/sbin/${n}`, "xtables-nft-multi"]);
    }
    const extDir = [
      "/usr/lib/x86_64-linux-gnu/xtables",
      "/usr/lib/aarch64-linux-gnu/xtables",
      "/usr/lib/xtables",
    ].find((d) => existsSync(d));
    if (!extDir) throw new Error("iptables extensions (xtables) not found");
    for (const f of readdirSync(extDir).filter((f) => f.endsWith(".so"))) addBinary(join(extDir, f));
    for (const f of ["/etc/protocols", "/etc/services", "/etc/ethertypes"])
      if (existsSync(f)) files.push({ from: f, to: f });
    dirs.push("/run", "/var/lib");
  }
  const seen = new Map();
  for (const f of files) seen.set(f.to, f);
  return { ...spec, files: [...seen.values()], symlinks, dirs };
}

/** A hash of everything that goes into an image: the spec and each input file's contents. */
function inputsHash(spec, baseId) {
  const h = createHash("sha256");
  h.update(JSON.stringify({ ...spec, files: undefined }));
  h.update(baseId ?? "");
  for (const f of spec.files) {
    const st = statSync(f.from);
    // Contents decide (a rebuild that writes the same bytes changes nothing); only very large
    // files (the Node binary) are known by size and modification time.
    const big = st.size > 32 * 1024 * 1024;
    h.update(`${f.from}\0${f.to}\0${st.size}\0${big ? st.mtimeMs : ""}\0${f.mode ?? ""}\n`);
    if (!big) h.update(readFileSync(f.from));
  }
  return h.digest("hex").slice(0, 16);
}

function imageLabel(name, label) {
  const r = spawnSync(
    "docker",
    ["image", "inspect", "--format", `{{ index .Config.Labels "${label}" }}`, name],
    {
      encoding: "utf8",
    },
  );
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function imageId(name) {
  const r = spawnSync("docker", ["image", "inspect", "--format", "{{ .Id }}", name], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

async function buildOne(rawSpec) {
  const spec = expand(rawSpec);
  for (const f of spec.files) {
    if (!existsSync(f.from))
      throw new Error(`${spec.name}: input ${f.from} is missing (did you run npm run build?)`);
  }
  const baseId = spec.base ? imageId(spec.base) : undefined;
  if (spec.base && !baseId) throw new Error(`${spec.name}: base image ${spec.base} does not exist`);
  const hash = inputsHash(spec, baseId);
  if (imageLabel(spec.name, "dev.tp.inputs") === hash) {
    console.error(`images: ${spec.name} is up to date`);
    return;
  }
  const started = Date.now();
  const dir = await mkdtemp(join(tmpdir(), "tp-image-"));
  try {
    const fsroot = join(dir, "rootfs");
    await mkdir(fsroot);
    for (const d of spec.dirs) await mkdir(join(fsroot, d), { recursive: true, mode: 0o1777 });
    for (const d of ["/tmp"]) if (spec.dirs.includes(d)) await chmod(join(fsroot, d), 0o1777);
    for (const f of spec.files) {
      const dest = join(fsroot, f.to);
      await mkdir(dirname(dest), { recursive: true });
      // Copy what a symlink points at, so the image needs no link chain from the host.
      await cp(lstatSync(f.from).isSymbolicLink() ? realpathSync(f.from) : f.from, dest, {
        dereference: true,
      });
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
      for (const home of spec.passwd.homes ?? [])
        await mkdir(join(fsroot, home), { recursive: true, mode: 0o777 });
    }
    const c = spec.config ?? {};
    const lines = [spec.base ? `FROM ${spec.base}` : "FROM scratch", "COPY rootfs/ /"];
    for (const [k, v] of Object.entries(c.env ?? {})) lines.push(`ENV ${k}=${JSON.stringify(v)}`);
    if (c.workdir) lines.push(`WORKDIR ${c.workdir}`);
    if (c.user) lines.push(`USER ${c.user}`);
    if (c.entrypoint) lines.push(`ENTRYPOINT ${JSON.stringify(c.entrypoint)}`);
    if (c.cmd) lines.push(`CMD ${JSON.stringify(c.cmd)}`);
    lines.push(`LABEL dev.tp.inputs="${hash}"`);
    await writeFile(join(dir, "Dockerfile"), lines.join("\n") + "\n");
    const r = spawnSync("docker", ["build", "-q", "-t", spec.name, dir], {
      encoding: "utf8",
      env: { ...process.env, DOCKER_BUILDKIT: "0" },
    });
    if (r.status !== 0) throw new Error(`${spec.name}: docker build failed:\n${r.stderr}`);
    console.error(`images: built ${spec.name} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

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
  await buildOne(spec);
}
console.error(`images: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
