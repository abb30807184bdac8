// tp-test-cluster:local: the test cluster's API server and node bundles on the Node base, and
// iptables for the node's kube-proxy.
// tp-test-infra:local: each pod's infra process (it holds the pod's network namespace and serves
// port-forwards), a small static program: no Node in every pod.
import { existsSync } from "node:fs";
import { compileStatic, nodeBase } from "./00-base.mjs";

export async function images() {
  const files = [
    { from: "dist/test-cluster/apiserver.js", to: "/opt/tp-test-cluster/apiserver.js" },
    { from: "dist/test-cluster/node.js", to: "/opt/tp-test-cluster/node.js" },
  ].filter((f) => existsSync(f.from) || f.to.endsWith("apiserver.js"));
  return [
    {
      name: "tp-test-cluster:local",
      base: nodeBase,
      // The node's kube-proxy loads its Service rules with iptables-restore (nf_tables, as tp-agent).
      iptables: true,
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
      files: [
        {
          from: compileStatic("test/cluster/node/native/pf-helper.c", "dist/test-cluster/pf-helper"),
          to: "/pause",
          mode: 0o755,
        },
      ],
      dirs: ["/pf"],
      config: { entrypoint: ["/pause"] },
    },
  ];
}
