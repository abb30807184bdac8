// tp-test-cluster:local: the test cluster's API server and node bundles on the Node base.
import { existsSync } from "node:fs";
import { nodeBase } from "./00-base.mjs";

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
  ];
}
