import { readFileSync } from "node:fs";
import type { V1Pod } from "@kubernetes/client-node";

export const clusterDomain = "cluster.local";
export const clusterDNS = "10.244.128.10";

/** The pod's hostname: spec.hostname, else its name cut to 63 characters (like the kubelet). */
export function podHostname(pod: V1Pod): string {
  return pod.spec?.hostname || (pod.metadata?.name ?? "").slice(0, 63).replace(/[-.]+$/, "");
}

/** /etc/resolv.conf of a pod by dnsPolicy and dnsConfig (pkg/kubelet/network/dns). */
export function resolvConf(pod: V1Pod, dnsIP = clusterDNS, nodeResolvConf = "/etc/resolv.conf"): string {
  const ns = pod.metadata?.namespace ?? "default";
  const policy = pod.spec?.dnsPolicy ?? "ClusterFirst";
  let nameservers: string[] = [];
  let searches: string[] = [];
  let options: string[] = [];
  if (policy === "ClusterFirst" || policy === "ClusterFirstWithHostNet") {
    nameservers = [dnsIP];
    searches = [`${ns}.svc.${clusterDomain}`, `svc.${clusterDomain}`, clusterDomain];
    options = ["ndots:5"];
  } else if (policy === "Default") {
    try {
      for (const line of readFileSync(nodeResolvConf, "utf8").split("\n")) {
        const [k, ...rest] = line.trim().split(/\s+/);
        if (k === "nameserver") nameservers.push(...rest);
        else if (k === "search") searches.push(...rest);
        else if (k === "options") options.push(...rest);
      }
    } catch {
      // no node resolv.conf: leave it empty
    }
  }
  const cfg = pod.spec?.dnsConfig;
  if (cfg) {
    nameservers = [...new Set([...nameservers, ...(cfg.nameservers ?? [])])];
    searches = [...new Set([...searches, ...(cfg.searches ?? [])])];
    for (const o of cfg.options ?? []) {
      const opt = o.value !== undefined ? `${o.name}:${o.value}` : (o.name ?? "");
      options = options.filter((x) => x.split(":")[0] !== o.name);
      options.push(opt);
    }
  }
  const lines: string[] = [];
  if (searches.length) lines.push(`search ${searches.join(" ")}`);
  for (const n of nameservers.slice(0, 3)) lines.push(`nameserver ${n}`);
  if (options.length) lines.push(`options ${options.join(" ")}`);
  return lines.join("\n") + "\n";
}

/** The kubelet-managed /etc/hosts of a pod (pkg/kubelet managedHostsFileContent). */
export function hostsFile(pod: V1Pod, podIP: string): string {
  const ns = pod.metadata?.namespace ?? "default";
  const hostname = podHostname(pod);
  const lines = [
    "# Kubernetes-managed hosts file.",
    "127.0.0.1\tlocalhost",
    "::1\tlocalhost ip6-localhost ip6-loopback",
    "fe00::0\tip6-localnet",
    "fe00::0\tip6-mcastprefix",
    "fe00::1\tip6-allnodes",
    "fe00::2\tip6-allrouters",
  ];
  if (podIP) {
    const sub = pod.spec?.subdomain;
    lines.push(
      sub ? `${podIP}\t${hostname}.${sub}.${ns}.svc.${clusterDomain}\t${hostname}` : `${podIP}\t${hostname}`,
    );
  }
  const aliases = pod.spec?.hostAliases ?? [];
  if (aliases.length) {
    lines.push("", "# Entries added by HostAliases.");
    for (const a of aliases) lines.push(`${a.ip}\t${(a.hostnames ?? []).join("\t")}`);
  }
  return lines.join("\n") + "\n";
}
