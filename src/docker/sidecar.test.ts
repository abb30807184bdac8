import { describe, expect, it } from "vitest";
import { portBindings } from "./sidecar.js";

describe("portBindings", () => {
  it("reads IP::CONTAINERPORT as a free host port on that IP", () => {
    expect(portBindings(["127.0.0.1::1080/tcp"]).bindings).toEqual({
      "1080/tcp": [{ HostIp: "127.0.0.1", HostPort: "" }],
    });
  });

  it("reads IP:HOSTPORT:CONTAINERPORT, HOSTPORT:CONTAINERPORT and a bracketed IPv6", () => {
    expect(portBindings(["127.0.0.1:8080:80", "9090:90/udp", "[::1]:7070:70"]).bindings).toEqual({
      "80/tcp": [{ HostIp: "127.0.0.1", HostPort: "8080" }],
      "90/udp": [{ HostIp: "", HostPort: "9090" }],
      "70/tcp": [{ HostIp: "::1", HostPort: "7070" }],
    });
  });
});
