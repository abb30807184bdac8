/** The mark, routing table and chains of the sidecar's UDP interception (mangle table). */
export const udpMark = "0x7470";
export const udpRouteTable = "147";
export const udpChains = { main: "TP_UDP", also: "TP_UDP_ALSO" } as const;

export interface UdpPlan {
  /** Port of tp-udp, the TPROXY listener on 127.0.0.1. */
  tproxyPort: number;
  /** CIDRs/IPs proxied even when inside neverProxy. */
  alsoProxy: string[];
  /** CIDRs/IPs left alone. */
  neverProxy: string[];
}

/**
 * iptables invocations (mangle table) that divert the namespace's outgoing UDP to tp-udp, keeping
 * the original destination: TPROXY works only where packets arrive (PREROUTING), so a datagram a
 * program sends is marked in OUTPUT, routed by that mark to the local table (`ipRouteCommands`),
 * comes back in through lo and is taken there by TPROXY. Loopback (the sidecar's DNS, Docker's at
 * 127.0.0.11), the namespace's own addresses (tp-udp's replies to the program), broadcast and
 * multicast stay as they are, as does neverProxy; alsoProxy wins over neverProxy.
 */
export function udpRules(plan: UdpPlan): string[][] {
  const mangle = (...args: string[]): string[] => ["-w", "-t", "mangle", ...args];
  const mark = ["-j", "MARK", "--set-mark", udpMark];
  const marked = ["-m", "mark", "--mark", udpMark, "-j", "RETURN"];
  return [
    mangle("-N", udpChains.main),
    mangle("-N", udpChains.also),
    mangle("-A", udpChains.main, "-o", "lo", "-j", "RETURN"),
    mangle("-A", udpChains.main, "-d", "127.0.0.0/8", "-j", "RETURN"),
    mangle("-A", udpChains.main, "-m", "addrtype", "--dst-type", "LOCAL", "-j", "RETURN"),
    mangle("-A", udpChains.main, "-m", "addrtype", "--dst-type", "BROADCAST", "-j", "RETURN"),
    mangle("-A", udpChains.main, "-m", "addrtype", "--dst-type", "MULTICAST", "-j", "RETURN"),
    mangle("-A", udpChains.main, "-j", udpChains.also),
    ...plan.alsoProxy.map((cidr) => mangle("-A", udpChains.main, "-d", cidr, ...mark)),
    mangle("-A", udpChains.main, ...marked),
    ...plan.neverProxy.map((cidr) => mangle("-A", udpChains.main, "-d", cidr, "-j", "RETURN")),
    mangle("-A", udpChains.main, ...mark),
    mangle("-A", "OUTPUT", "-p", "udp", "-j", udpChains.main),
    mangle(
      "-A",
      "PREROUTING",
      "-p",
      "udp",
      "-m",
      "mark",
      "--mark",
      udpMark,
      "-j",
      "TPROXY",
      "--on-ip",
      "127.0.0.1",
      "--on-port",
      String(plan.tproxyPort),
      "--tproxy-mark",
      udpMark,
    ),
  ];
}

/** Replace TP_UDP_ALSO's content: these addresses are proxied even inside a neverProxy CIDR. */
export function udpAlsoProxyRules(addresses: string[]): string[][] {
  return [
    ["-w", "-t", "mangle", "-F", udpChains.also],
    ...addresses.map((a) => [
      "-w",
      "-t",
      "mangle",
      "-A",
      udpChains.also,
      "-d",
      a,
      "-j",
      "MARK",
      "--set-mark",
      udpMark,
    ]),
  ];
}

/** `ip` invocations that deliver marked packets locally, where TPROXY takes them. */
export function ipRouteCommands(): string[][] {
  return [
    ["rule", "add", "fwmark", udpMark, "lookup", udpRouteTable],
    ["route", "add", "local", "0.0.0.0/0", "dev", "lo", "table", udpRouteTable],
  ];
}
