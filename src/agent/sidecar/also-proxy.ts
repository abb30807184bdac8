import dnsPacket from "dns-packet";
import { isIPv4 } from "node:net";
import type { TunnelClient } from "../../tunnel/tunnel-client.js";
import { Paths } from "../../contract/tunnel-protocol.js";

/** The IPv4 addresses `hosts` (the pod's hostAliases) gives a name, as /etc/hosts would. */
export function hostsAddresses(hosts: { name: string; ip: string }[], name: string): string[] {
  const wanted = name.replace(/\.$/, "").toLowerCase();
  return hosts.filter((h) => h.name.toLowerCase() === wanted && isIPv4(h.ip)).map((h) => h.ip);
}

/**
 * The IPv4 addresses a host name has in the cluster (asked through the tunnel, as the pod would:
 * the name as given and with each search domain, the name as given first when it has at least
 * `ndots` dots). Empty when it does not resolve.
 */
export async function resolveInCluster(
  tunnel: TunnelClient,
  name: string,
  search: string[],
  ndots = 0,
): Promise<string[]> {
  const bare = name.replace(/\.$/, "");
  const searched = search.map((s) => `${bare}.${s}`);
  const asGivenFirst = bare.split(".").length - 1 >= ndots;
  const candidates = name.endsWith(".") ? [bare] : asGivenFirst ? [bare, ...searched] : [...searched, bare];
  for (const candidate of candidates) {
    const query = dnsPacket.encode({
      type: "query",
      id: Math.floor(Math.random() * 65_535),
      flags: dnsPacket.RECURSION_DESIRED,
      questions: [{ type: "A", name: candidate }],
    });
    try {
      const answer = dnsPacket.decode(
        await tunnel.exchange("POST", Paths.dns, query, {
          contentType: "application/dns-message",
          timeoutMs: 5_000,
        }),
      );
      const addresses = (answer.answers ?? [])
        .filter((a) => a.type === "A")
        .map((a) => String((a as { data: string }).data));
      if (addresses.length > 0) return addresses;
    } catch {
      // Try the next form of the name.
    }
  }
  return [];
}
