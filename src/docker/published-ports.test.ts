import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { checkHostPortsFree, parsePublish, portBindings } from "./published-ports.js";

describe("-p as docker run reads it", () => {
  it("HOSTPORT:CONTAINERPORT publishes on that host port of every address", () => {
    expect(portBindings(["18999:8080"]).bindings).toEqual({
      "8080/tcp": [{ HostIp: "", HostPort: "18999" }],
    });
  });

  it("IP:HOSTPORT:CONTAINERPORT publishes on that address only", () => {
    expect(portBindings(["127.0.0.1:18999:8080"]).bindings).toEqual({
      "8080/tcp": [{ HostIp: "127.0.0.1", HostPort: "18999" }],
    });
    expect(portBindings(["127.0.0.1::8080/udp"]).bindings).toEqual({
      "8080/udp": [{ HostIp: "127.0.0.1", HostPort: "" }],
    });
    expect(portBindings(["[::1]:18999:8080"]).bindings).toEqual({
      "8080/tcp": [{ HostIp: "::1", HostPort: "18999" }],
    });
  });

  it("reads several at once, by container port and protocol", () => {
    expect(portBindings(["127.0.0.1:8080:80", "9090:90/udp", "[::1]:7070:70"]).bindings).toEqual({
      "80/tcp": [{ HostIp: "127.0.0.1", HostPort: "8080" }],
      "90/udp": [{ HostIp: "", HostPort: "9090" }],
      "70/tcp": [{ HostIp: "::1", HostPort: "7070" }],
    });
  });

  it("a container port alone gets a host port chosen by Docker", () => {
    const { exposed, bindings } = portBindings(["8080"]);
    expect(exposed).toEqual({ "8080/tcp": {} });
    expect(bindings).toEqual({ "8080/tcp": [{ HostIp: "", HostPort: "" }] });
  });

  it("ranges: pairwise, or one container port in a host range", () => {
    expect(parsePublish("9000-9001:8000-8001")).toEqual([
      { hostIp: "", hostPort: "9000", containerPort: 8000, protocol: "tcp" },
      { hostIp: "", hostPort: "9001", containerPort: 8001, protocol: "tcp" },
    ]);
    expect(parsePublish("9000-9010:8000")).toEqual([
      { hostIp: "", hostPort: "9000-9010", containerPort: 8000, protocol: "tcp" },
    ]);
    expect(parsePublish("8000-8001").map((b) => b.containerPort)).toEqual([8000, 8001]);
  });

  it("refuses what docker run refuses", () => {
    for (const bad of [
      "",
      "x",
      "0",
      "70000",
      "1:2:3:4",
      "300.1.1.1:80:80",
      "80/icmp",
      "9000-9002:8000-8001",
      "a:80:80",
      "8002-8000",
    ])
      expect(() => parsePublish(bad), bad).toThrow(/-p/);
  });
});

describe("host ports in use", () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  it("a host port something listens on is named before anything starts", async () => {
    server = createServer();
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    await expect(checkHostPortsFree([`127.0.0.1:${port}:8080`])).rejects.toThrow(
      new RegExp(`host port 127.0.0.1:${port}/tcp is already in use`),
    );
    await expect(checkHostPortsFree([`${port}:8080`])).rejects.toThrow(/in use/);
  });

  it("a free port passes", async () => {
    server = createServer();
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((r) => server!.close(() => r()));
    server = undefined;
    await expect(checkHostPortsFree([`127.0.0.1:${port}:8080`, "8080"])).resolves.toBeUndefined();
  });
});
