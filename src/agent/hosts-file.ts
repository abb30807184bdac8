/**
 * The names a pod's /etc/hosts gives its own host: the kubelet writes `IP\tHOSTNAME` for the
 * pod's IPs, or `IP\tHOSTNAME.SUBDOMAIN.NS.svc.DOMAIN\tHOSTNAME` for a pod with a subdomain (a
 * StatefulSet's replica), which is what `hostname -f` answers there. Undefined when no line names
 * `hostname` (a pod on the node's network shares the node's file).
 */
export function ownHostNames(hostsText: string, hostname: string): string[] | undefined {
  for (const line of hostsText.split("\n")) {
    const names = line.replace(/#.*$/, "").trim().split(/\s+/).slice(1);
    if (names.includes(hostname)) return names;
  }
  return undefined;
}

/**
 * A local /etc/hosts with the pod's names for its own host: the last line that names `hostname`
 * (Docker's `IP HOSTNAME`, which also adds the part before a first dot as a name of its own) gets
 * `names` instead, so that `hostname -f` and a lookup of the short name answer as in the pod. The
 * other lines (localhost, the pod's hostAliases) are kept. Unchanged when no line names it, or
 * when `names` do not name it (the pod's hostname is another).
 */
export function withOwnHostNames(hostsText: string, hostname: string, names: string[]): string {
  // Names of another host (a pod whose hostname is not this one's) are not this host's.
  if (!names.includes(hostname)) return hostsText;
  const lines = hostsText.split("\n");
  const entry = (line: string) => line.replace(/#.*$/, "").trim().split(/\s+/);
  // Docker's own line is the last: a hostAlias that names the host too comes before, and stays.
  const at = lines.findLastIndex((line) => entry(line).slice(1).includes(hostname));
  if (at < 0) return hostsText;
  lines[at] = `${entry(lines[at] as string)[0]}\t${names.join("\t")}`;
  return lines.join("\n");
}
