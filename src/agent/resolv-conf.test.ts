import { describe, expect, it } from "vitest";
import { parseResolvConf, renderResolvConf } from "./resolv-conf.js";

describe("resolv.conf", () => {
  it("reads a pod's resolver settings", () => {
    const text = [
      "search default.svc.cluster.local svc.cluster.local cluster.local",
      "nameserver 10.96.0.10 # kube-dns",
      "options ndots:5 timeout:1",
    ].join("\n");
    expect(parseResolvConf(text)).toEqual({
      nameservers: ["10.96.0.10"],
      search: ["default.svc.cluster.local", "svc.cluster.local", "cluster.local"],
      ndots: 5,
    });
  });

  it("writes the local one with the pod's search list and ndots", () => {
    expect(renderResolvConf("127.0.0.1", { search: ["ns.svc.cluster.local"], ndots: 5 })).toContain(
      "nameserver 127.0.0.1\nsearch ns.svc.cluster.local\noptions ndots:5\n",
    );
  });
});
