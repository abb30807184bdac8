import { describe, expect, it } from "vitest";
import { alsoProxyRules, redirectRules } from "./iptables-rules.js";

describe("redirectRules", () => {
  const rules = redirectRules({
    redirectPort: 15001,
    alsoProxy: ["10.1.2.3"],
    neverProxy: ["10.0.0.0/8"],
  }).map((r) => r.join(" "));

  it("leaves loopback (and Docker's DNS at 127.0.0.11) alone before anything is redirected", () => {
    const firstRedirect = rules.findIndex((r) => r.includes("REDIRECT"));
    expect(rules.findIndex((r) => r.includes("-o lo -j RETURN"))).toBeLessThan(firstRedirect);
    expect(rules.findIndex((r) => r.includes("-d 127.0.0.0/8 -j RETURN"))).toBeLessThan(firstRedirect);
  });

  it("sends alsoProxy through the tunnel even inside a neverProxy CIDR", () => {
    const also = rules.indexOf("-w -t nat -A TP_OUTPUT -p tcp -d 10.1.2.3 -j REDIRECT --to-ports 15001");
    const never = rules.indexOf("-w -t nat -A TP_OUTPUT -d 10.0.0.0/8 -j RETURN");
    expect(also).toBeGreaterThan(-1);
    expect(never).toBeGreaterThan(also);
  });

  it("redirects every other TCP connection, and hooks the chain into nat OUTPUT last", () => {
    expect(rules.at(-2)).toBe("-w -t nat -A TP_OUTPUT -p tcp -j REDIRECT --to-ports 15001");
    expect(rules.at(-1)).toBe("-w -t nat -A OUTPUT -p tcp -j TP_OUTPUT");
  });

  it("refills TP_ALSO with the addresses of alsoProxy names", () => {
    expect(alsoProxyRules(["10.9.9.9"], 15001).map((r) => r.join(" "))).toEqual([
      "-w -t nat -F TP_ALSO",
      "-w -t nat -A TP_ALSO -p tcp -d 10.9.9.9 -j REDIRECT --to-ports 15001",
    ]);
  });
});
