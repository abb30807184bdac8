import { describe, expect, it } from "vitest";
import { alsoProxyRules, redirectRules } from "./iptables-rules.js";
import { natRestoreInput } from "./iptables.js";

describe("redirectRules", () => {
  const rules = redirectRules({
    redirectPort: 15001,
    alsoProxy: ["10.1.2.3"],
    neverProxy: ["10.0.0.0/8"],
  }).map((r) => r.join(" "));

  it("leaves loopback (and Docker's DNS at 127.0.0.11) alone before anything is redirected", () => {
    const firstRedirect = rules.findIndex((r) => r.includes("REDIRECT"));
    const loopback = rules.indexOf("-w -t nat -A TP_OUTPUT -o lo -j RETURN");
    const localNet = rules.indexOf("-w -t nat -A TP_OUTPUT -d 127.0.0.0/8 -j RETURN");
    // Each rule is there (indexOf gives -1 for a missing one), and before the first REDIRECT.
    expect(loopback).toBeGreaterThan(-1);
    expect(localNet).toBeGreaterThan(-1);
    expect(loopback).toBeLessThan(firstRedirect);
    expect(localNet).toBeLessThan(firstRedirect);
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

describe("natRestoreInput", () => {
  it("declares the chains and appends the rules in order, in one nat table section", () => {
    const input = natRestoreInput(redirectRules({ redirectPort: 15001, alsoProxy: [], neverProxy: [] }));
    expect(input.split("\n")).toEqual([
      "*nat",
      ":TP_OUTPUT - [0:0]",
      ":TP_ALSO - [0:0]",
      "-A TP_OUTPUT -o lo -j RETURN",
      "-A TP_OUTPUT -d 127.0.0.0/8 -j RETURN",
      "-A TP_OUTPUT -p tcp -j TP_ALSO",
      "-A TP_OUTPUT -p tcp -j REDIRECT --to-ports 15001",
      "-A OUTPUT -p tcp -j TP_OUTPUT",
      "COMMIT",
      "",
    ]);
  });

  it("refuses what it cannot express (another table, a flush)", () => {
    expect(() => natRestoreInput([["-w", "-t", "filter", "-A", "INPUT", "-j", "DROP"]])).toThrow(/not a nat/);
    expect(() => natRestoreInput(alsoProxyRules([], 15001))).toThrow(/not a nat/);
  });
});
