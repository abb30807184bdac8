import { describe, expect, it } from "vitest";
import { parseExposeSpec } from "./expose-spec.js";

describe("parseExposeSpec", () => {
  it("reads TCP and UDP ports in both orders", () => {
    expect(parseExposeSpec("8080")).toEqual({ localPort: 8080, remotePort: 8080 });
    expect(parseExposeSpec("8080:80")).toEqual({ localPort: 8080, remotePort: 80 });
    expect(parseExposeSpec("8125/udp")).toEqual({ localPort: 8125, remotePort: 8125, protocol: "udp" });
    expect(parseExposeSpec("8125/udp:9125")).toEqual({ localPort: 8125, remotePort: 9125, protocol: "udp" });
    expect(parseExposeSpec("8125:9125/UDP")).toEqual({ localPort: 8125, remotePort: 9125, protocol: "udp" });
    expect(parseExposeSpec("80/tcp")).toEqual({ localPort: 80, remotePort: 80 });
  });

  it("names what is wrong", () => {
    expect(() => parseExposeSpec("53/sctp")).toThrow('protocol "sctp" is not supported: tcp or udp');
    expect(() => parseExposeSpec("70000/udp")).toThrow("70000 is not a port (1-65535)");
    expect(() => parseExposeSpec("80:0")).toThrow("0 is not a port");
    expect(() => parseExposeSpec("80/udp:81/udp")).toThrow("expected PORT[:REMOTE_PORT][/tcp|/udp]");
    expect(() => parseExposeSpec("web")).toThrow("expected");
  });
});
