import { describe, expect, it } from "vitest";
import { ownHostNames, withOwnHostNames } from "./hosts-file.js";

/** The kubelet's file for a StatefulSet's replica (pkg/kubelet managedHostsFileContent). */
const kubelet = `# Kubernetes-managed hosts file.
127.0.0.1\tlocalhost
::1\tlocalhost ip6-localhost ip6-loopback
fe00::0\tip6-localnet
10.244.64.3\tdb-0.db.ns.svc.cluster.local\tdb-0

# Entries added by HostAliases.
10.1.2.3\tfoo.local\tbar.local
`;

/** Docker's file for a container whose hostname has a dot. */
const docker = `127.0.0.1\tlocalhost
::1\tlocalhost ip6-localhost ip6-loopback
10.1.2.3\tfoo.local
172.17.0.2\tweb.v2-tp-1234 web
`;

describe("the pod's names for its own host in /etc/hosts", () => {
  it("reads them from the kubelet's line for the hostname", () => {
    expect(ownHostNames(kubelet, "db-0")).toEqual(["db-0.db.ns.svc.cluster.local", "db-0"]);
    expect(ownHostNames("10.0.0.9\tweb-tp-1234\n", "web-tp-1234")).toEqual(["web-tp-1234"]);
    expect(ownHostNames(kubelet, "other")).toBeUndefined();
    expect(ownHostNames("# 10.0.0.9 db-0\n", "db-0")).toBeUndefined();
  });

  it("gives them to the local line of the hostname only, keeping the address and the other lines", () => {
    const local = withOwnHostNames(docker, "web.v2-tp-1234", ["web.v2-tp-1234"]);
    expect(local).toBe(docker.replace("172.17.0.2\tweb.v2-tp-1234 web", "172.17.0.2\tweb.v2-tp-1234"));
    expect(withOwnHostNames("172.17.0.2\tdb-0\n", "db-0", ["db-0.db.ns.svc.cluster.local", "db-0"])).toBe(
      "172.17.0.2\tdb-0.db.ns.svc.cluster.local\tdb-0\n",
    );
    expect(withOwnHostNames(docker, "nothere", ["x"])).toBe(docker);
    // A hostAlias naming the host too (written before Docker's own line) keeps its address.
    const aliased = "10.1.2.3\tdb-0\n172.17.0.2\tdb-0\n";
    expect(withOwnHostNames(aliased, "db-0", ["db-0.db.ns.svc.cluster.local", "db-0"])).toBe(
      "10.1.2.3\tdb-0\n172.17.0.2\tdb-0.db.ns.svc.cluster.local\tdb-0\n",
    );
    expect(withOwnHostNames(docker, "web.v2-tp-1234", ["other.sub.ns.svc.cluster.local", "other"])).toBe(
      docker,
    );
  });
});
