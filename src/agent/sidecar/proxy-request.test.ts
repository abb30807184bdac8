import { describe, expect, it } from "vitest";
import { parseProxyRequest } from "./proxy-request.js";
import { parseGreeting, parseRequest, socksReply } from "./socks5.js";

describe("parseProxyRequest", () => {
  it("turns an absolute-URI GET into origin form with Connection: close, keeping the body's first bytes", () => {
    const head =
      "GET http://peer.ns:81/a?b=1 HTTP/1.1\r\nHost: peer.ns:81\r\nProxy-Connection: keep-alive\r\nUser-Agent: Wget\r\n\r\nxyz";
    const r = parseProxyRequest(Buffer.from(head));
    if (typeof r === "string") throw new Error(r);
    expect(r).toMatchObject({ host: "peer.ns", port: 81, tunnel: false });
    expect(r.head?.toString()).toBe(
      "GET /a?b=1 HTTP/1.1\r\nHost: peer.ns:81\r\nUser-Agent: Wget\r\nConnection: close\r\n\r\n",
    );
    expect(r.rest.toString()).toBe("xyz");
  });

  it("reads CONNECT host:port, waits for a whole head and refuses what is not a proxy request", () => {
    expect(parseProxyRequest(Buffer.from("CONNECT api:443 HTTP/1.1\r\n\r\n"))).toMatchObject({
      host: "api",
      port: 443,
      tunnel: true,
    });
    expect(parseProxyRequest(Buffer.from("GET http://x/ HTTP/1.1\r\n"))).toBe("incomplete");
    expect(parseProxyRequest(Buffer.from("GET /relative HTTP/1.1\r\n\r\n"))).toBe("bad");
  });
});

describe("SOCKS5", () => {
  it("parses a greeting and CONNECT requests with IPv4, domain and IPv6 addresses", () => {
    expect(parseGreeting(Buffer.from([5, 1, 0]))).toEqual({ methods: [0], length: 3 });
    expect(parseRequest(Buffer.from([5, 1, 0, 1, 10, 0, 0, 7, 0, 80]))).toEqual({
      command: 1,
      host: "10.0.0.7",
      port: 80,
      length: 10,
    });
    const name = Buffer.from("peer.ns");
    expect(
      parseRequest(Buffer.concat([Buffer.from([5, 0xf0, 0, 3, name.length]), name, Buffer.from([0, 0])])),
    ).toEqual({ command: 0xf0, host: "peer.ns", port: 0, length: 14 });
    const v6 = Buffer.alloc(22);
    v6.set([5, 1, 0, 4]);
    v6[19] = 1;
    v6.writeUInt16BE(443, 20);
    expect(parseRequest(v6)).toMatchObject({ host: "0:0:0:0:0:0:0:1", port: 443 });
    expect(parseRequest(Buffer.from([5, 1, 0, 1, 10]))).toBe("incomplete");
  });

  it("answers a resolved address in the reply", () => {
    expect([...socksReply(0, "10.96.0.5")]).toEqual([5, 0, 0, 1, 10, 96, 0, 5, 0, 0]);
  });
});
