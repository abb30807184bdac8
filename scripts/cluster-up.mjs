#!/usr/bin/env node
// Start the test cluster (docker-compose.test.yml) and wait until it serves: /readyz answers,
// namespace default exists and the node has reported in. Idempotent: a healthy cluster is left
// alone; anything else (a crash's leftovers, a half-started cluster) is removed first.
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:https";
import { dirname, join } from "node:path";
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync, chmodSync } from "node:fs";

// --- docker compose ---
const project = "tp-test-cluster";
const label = "dev.tp.test-cluster=1";

function composeCommand() {
  const v2 = spawnSync("docker", ["compose", "version"], { stdio: "ignore" });
  if (v2.status === 0) return ["docker", ["compose"]];
  return ["docker-compose", []];
}

function compose(args, opts = {}) {
  const [cmd, pre] = composeCommand();
  return spawnSync(cmd, [...pre, "-p", project, "-f", "docker-compose.test.yml", ...args], {
    encoding: "utf8",
    ...opts,
  });
}

function docker(args) {
  return spawnSync("docker", args, { encoding: "utf8" });
}

/** Every container the cluster made (compose services and pods), removed by force. */
function removeClusterContainers() {
  const ids = docker(["ps", "-aq", "--filter", `label=${label}`])
    .stdout.split("\n")
    .filter(Boolean);
  if (ids.length) docker(["rm", "-f", "-v", ...ids]);
  return ids.length;
}

function removeClusterNetwork() {
  const nets = docker(["network", "ls", "-q", "--filter", "name=^tp-test-cluster$"])
    .stdout.split("\n")
    .filter(Boolean);
  for (const n of nets) docker(["network", "rm", n]);
}

// --- PKI (openssl CLI), tokens, kubeconfig ---
const server = "https://127.0.0.1:6443";

const sans = [
  "IP:127.0.0.1",
  "IP:10.244.0.2",
  "IP:10.244.128.1",
  "DNS:localhost",
  "DNS:kubernetes",
  "DNS:kubernetes.default",
  "DNS:kubernetes.default.svc",
  "DNS:kubernetes.default.svc.cluster.local",
];

function openssl(args, cwd) {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

function writeClusterFiles(dir) {
  const pki = join(dir, "pki");
  mkdirSync(pki, { recursive: true });
  openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ca.key"], pki);
  openssl(
    [
      "req",
      "-x509",
      "-new",
      "-key",
      "ca.key",
      "-sha256",
      "-days",
      "3650",
      "-subj",
      "/CN=tp-test-cluster-ca",
      "-out",
      "ca.crt",
    ],
    pki,
  );
  // P-256 keys: generated in milliseconds, where RSA keys take a second or more.
  openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "apiserver.key"], pki);
  writeFileSync(
    join(pki, "apiserver.ext"),
    `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${sans.join(",")}\n`,
  );
  openssl(
    ["req", "-new", "-key", "apiserver.key", "-subj", "/CN=kube-apiserver", "-out", "apiserver.csr"],
    pki,
  );
  openssl(
    [
      "x509",
      "-req",
      "-in",
      "apiserver.csr",
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-days",
      "3650",
      "-sha256",
      "-extfile",
      "apiserver.ext",
      "-out",
      "apiserver.crt",
    ],
    pki,
  );
  // The containers read the key as whatever user they run as.
  chmodSync(join(pki, "apiserver.key"), 0o644);
  const tokens = {
    admin: randomBytes(24).toString("hex"),
    node: randomBytes(24).toString("hex"),
    limited: randomBytes(24).toString("hex"),
  };
  writeFileSync(join(dir, "tokens.json"), JSON.stringify(tokens, null, 2) + "\n");
  const ca = readFileSync(join(pki, "ca.crt")).toString("base64");
  const kubeconfig = `apiVersion: v1
kind: Config
clusters:
- name: tp-test-cluster
  cluster:
    server: ${server}
    certificate-authority-data: ${ca}
users:
- name: tp-test-admin
  user:
    token: ${tokens.admin}
contexts:
- name: tp-test-cluster
  context:
    cluster: tp-test-cluster
    user: tp-test-admin
    namespace: default
current-context: tp-test-cluster
preferences: {}
`;
  writeFileSync(join(dir, "kubeconfig"), kubeconfig, { mode: 0o600 });
  // User "tp-limited": no rights until a test binds it to a Role in a namespace.
  const limited = kubeconfig
    .replaceAll("tp-test-admin", "tp-test-limited")
    .replace(`token: ${tokens.admin}`, `token: ${tokens.limited}`);
  writeFileSync(join(dir, "kubeconfig-limited"), limited, { mode: 0o600 });
  return tokens;
}

const root = join(dirname(new URL(import.meta.url).pathname), "..");
process.chdir(root);
const dir = join(root, ".test-cluster");
const started = Date.now();
const trace = (what) =>
  process.env.TP_CLUSTER_UP_TRACE && console.error(`cluster:up: +${Date.now() - started} ms ${what}`);

function get(path, token, ca) {
  return new Promise((resolve) => {
    const req = request(
      `${server}${path}`,
      { ca, headers: token ? { authorization: `Bearer ${token}` } : {}, timeout: 2000 },
      (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve({ code: res.statusCode, body }));
      },
    );
    req.on("error", () => resolve({ code: 0, body: "" }));
    req.on("timeout", () => req.destroy());
    req.end();
  });
}

async function healthy() {
  if (!existsSync(join(dir, "tokens.json")) || !existsSync(join(dir, "pki/ca.crt"))) return false;
  const { admin } = JSON.parse(readFileSync(join(dir, "tokens.json"), "utf8"));
  const ca = readFileSync(join(dir, "pki/ca.crt"));
  const ready = await get("/readyz", undefined, ca);
  if (ready.code !== 200) return false;
  const ns = await get("/api/v1/namespaces/default", admin, ca);
  if (ns.code !== 200) return false;
  const node = await get("/api/v1/nodes/tp-test-node", admin, ca);
  if (node.code !== 200) return false;
  const conds = JSON.parse(node.body).status?.conditions ?? [];
  return conds.some((c) => c.type === "Ready" && c.status === "True");
}

function running() {
  const out = docker([
    "ps",
    "--filter",
    "label=dev.tp.test-cluster=1",
    "--filter",
    "name=^tp-test-cluster-",
    "--format",
    "{{.Names}}",
  ]).stdout;
  const names = out.split("\n").filter(Boolean);
  return names.includes("tp-test-cluster-apiserver") && names.includes("tp-test-cluster-node");
}

/** The running containers use the current tp-test-cluster image (else they run stale code). */
function current() {
  const want = docker(["image", "inspect", "--format", "{{.Id}}", "tp-test-cluster:local"]).stdout.trim();
  return ["tp-test-cluster-apiserver", "tp-test-cluster-node"].every(
    (c) => docker(["inspect", "--format", "{{.Image}}", c]).stdout.trim() === want,
  );
}

if (running() && current() && (await healthy())) {
  console.error(`cluster:up: already running (${server}); kubeconfig: .test-cluster/kubeconfig`);
  process.exit(0);
}

for (const image of ["tp-test-cluster:local", "tp-test-infra:local"]) {
  if (docker(["image", "inspect", image]).status !== 0) {
    console.error(`cluster:up: image ${image} is missing; run \`npm run build && npm run images\` first`);
    process.exit(1);
  }
}

// Leftovers of an earlier run: containers, network, files.
const leftovers = docker(["ps", "-aq", "--filter", `label=${label}`]).stdout.trim();
const network = docker(["network", "ls", "-q", "--filter", "name=^tp-test-cluster$"]).stdout.trim();
if (leftovers || network) compose(["down", "--remove-orphans", "--timeout", "1"]);
removeClusterContainers();
removeClusterNetwork();
rmSync(dir, { recursive: true, force: true });
rmSync("/var/lib/tp-test-cluster", { recursive: true, force: true });
mkdirSync("/var/lib/tp-test-cluster", { recursive: true });
mkdirSync(dir, { recursive: true });
trace("cleaned up");
writeClusterFiles(dir);
trace("wrote pki, tokens and kubeconfig");

const up = compose(["up", "-d", "--no-build"]);
trace("containers started");
if (up.status !== 0) {
  console.error(`cluster:up: docker compose up failed:\n${up.stderr}`);
  process.exit(1);
}

function exited() {
  const out = docker([
    "ps",
    "-a",
    "--filter",
    "label=dev.tp.test-cluster=1",
    "--filter",
    "status=exited",
    "--format",
    "{{.Names}}",
  ]).stdout;
  return out.split("\n").filter((n) => n === "tp-test-cluster-apiserver" || n === "tp-test-cluster-node");
}

const deadline = Date.now() + 60_000;
while (!(await healthy())) {
  if (exited().length || Date.now() > deadline) {
    console.error(
      exited().length
        ? `cluster:up: ${exited().join(", ")} exited; logs:`
        : "cluster:up: the cluster did not become ready within 60 s; logs:",
    );
    console.error("cluster:up: the cluster did not become ready within 60 s; logs:");
    console.error(compose(["logs", "--tail", "40"]).stdout);
    process.exit(1);
  }
  await new Promise((r) => setTimeout(r, 100));
}
trace("ready");
console.error(
  `cluster:up: ready in ${((Date.now() - started) / 1000).toFixed(1)} s (${server}); kubeconfig: .test-cluster/kubeconfig`,
);
