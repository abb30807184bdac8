// tp-test-cluster:local: the test cluster's API server and node bundles on the Node base.
// tp-test-infra:local: each pod's infra process (it holds the pod's network namespace and serves
// port-forwards), a small static program: no Node in every pod.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { nodeBase } from "./00-base.mjs";

/** Compile the infra process when its source is newer than the binary. */
function buildInfra() {
  const src = "test/cluster/node/native/pf-helper.c";
  const out = "dist/test-cluster/pf-helper";
  if (existsSync(out) && statSync(out).mtimeMs >= statSync(src).mtimeMs) return out;
  mkdirSync(dirname(out), { recursive: true });
  execFileSync("cc", ["-static", "-O2", "-Wall", "-o", out, src], { stdio: "inherit" });
  return out;
}

export async function images() {
  const files = [
    { from: "dist/test-cluster/apiserver.js", to: "/opt/tp-test-cluster/apiserver.js" },
    { from: "dist/test-cluster/node.js", to: "/opt/tp-test-cluster/node.js" },
  ].filter((f) => existsSync(f.from) || f.to.endsWith("apiserver.js"));
  return [
    {
      name: "tp-test-cluster:local",
      base: nodeBase,
      files,
      dirs: ["/var/lib/tp-test-cluster"],
      config: {
        workdir: "/opt/tp-test-cluster",
        entrypoint: ["/usr/bin/node"],
        cmd: ["/opt/tp-test-cluster/apiserver.js"],
      },
    },
    {
      name: "tp-test-infra:local",
      files: [{ from: buildInfra(), to: "/pause", mode: 0o755 }],
      dirs: ["/pf"],
      config: { entrypoint: ["/pause"] },
    },
  ];
}
