#!/usr/bin/env node
// Remove the test cluster: the compose containers, every pod container (label
// dev.tp.test-cluster=1), the network, .test-cluster/ and /var/lib/tp-test-cluster/.
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";

const root = join(dirname(new URL(import.meta.url).pathname), "..");
process.chdir(root);
const docker = (args) => spawnSync("docker", args, { encoding: "utf8" });
const v2 = spawnSync("docker", ["compose", "version"], { stdio: "ignore" }).status === 0;
const [cmd, pre] = v2 ? ["docker", ["compose"]] : ["docker-compose", []];
spawnSync(
  cmd,
  [
    ...pre,
    "-p",
    "tp-test-cluster",
    "-f",
    "docker-compose.test.yml",
    "down",
    "--remove-orphans",
    "--timeout",
    "2",
  ],
  {
    stdio: "ignore",
  },
);
const ids = docker(["ps", "-aq", "--filter", "label=dev.tp.test-cluster=1"])
  .stdout.split("\n")
  .filter(Boolean);
if (ids.length) docker(["rm", "-f", "-v", ...ids]);
for (const n of docker(["network", "ls", "-q", "--filter", "name=^tp-test-cluster$"])
  .stdout.split("\n")
  .filter(Boolean))
  docker(["network", "rm", n]);
rmSync(join(root, ".test-cluster"), { recursive: true, force: true });
rmSync("/var/lib/tp-test-cluster", { recursive: true, force: true });
console.error(
  `cluster:down: removed the cluster's containers${ids.length ? ` (${ids.length} left over)` : ""}, network and files`,
);
