/** Chains the sidecar owns in the nat table. */
export const chains = { main: "TP_OUTPUT", also: "TP_ALSO" } as const;

export interface RedirectPlan {
  redirectPort: number;
  /** CIDRs/IPs redirected even when inside neverProxy (alsoProxy given as addresses). */
  alsoProxy: string[];
  /** CIDRs/IPs left alone. */
  neverProxy: string[];
}

/**
 * The iptables invocations (argument lists, nat table) that send every TCP connection of the
 * namespace to the sidecar's listener, except loopback (which covers Docker's embedded DNS at
 * 127.0.0.11 and the sidecar's own DNS) and the neverProxy CIDRs. alsoProxy entries come first, so
 * they win over neverProxy; TP_ALSO holds the addresses of alsoProxy host names, refilled when
 * they are resolved in the cluster.
 */
export function redirectRules(plan: RedirectPlan): string[][] {
  const redirect = ["-j", "REDIRECT", "--to-ports", String(plan.redirectPort)];
  const nat = (...args: string[]): string[] => ["-w", "-t", "nat", ...args];
  return [
    nat("-N", chains.main),
    nat("-N", chains.also),
    nat("-A", chains.main, "-o", "lo", "-j", "RETURN"),
    nat("-A", chains.main, "-d", "127.0.0.0/8", "-j", "RETURN"),
    nat("-A", chains.main, "-p", "tcp", "-j", chains.also),
    ...plan.alsoProxy.map((cidr) => nat("-A", chains.main, "-p", "tcp", "-d", cidr, ...redirect)),
    ...plan.neverProxy.map((cidr) => nat("-A", chains.main, "-d", cidr, "-j", "RETURN")),
    nat("-A", chains.main, "-p", "tcp", ...redirect),
    nat("-A", "OUTPUT", "-p", "tcp", "-j", chains.main),
  ];
}

/** Replace the TP_ALSO chain's content with redirects of these addresses. */
export function alsoProxyRules(addresses: string[], redirectPort: number): string[][] {
  return [
    ["-w", "-t", "nat", "-F", chains.also],
    ...addresses.map((a) => [
      "-w",
      "-t",
      "nat",
      "-A",
      chains.also,
      "-p",
      "tcp",
      "-d",
      a,
      "-j",
      "REDIRECT",
      "--to-ports",
      String(redirectPort),
    ]),
  ];
}
