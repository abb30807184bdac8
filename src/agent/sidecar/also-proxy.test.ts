import { describe, expect, it } from "vitest";
import { hostsAddresses } from "./also-proxy.js";

describe("hostsAddresses", () => {
  const hosts = [
    { name: "legacy-db", ip: "10.9.8.7" },
    { name: "Legacy-DB", ip: "10.9.8.8" },
    { name: "v6", ip: "fd00::1" },
  ];
  it("gives a name's IPv4 addresses in any case, an absolute name too, and nothing for others", () => {
    expect(hostsAddresses(hosts, "LEGACY-db.")).toEqual(["10.9.8.7", "10.9.8.8"]);
    expect(hostsAddresses(hosts, "v6")).toEqual([]);
    expect(hostsAddresses(hosts, "other")).toEqual([]);
  });
});
