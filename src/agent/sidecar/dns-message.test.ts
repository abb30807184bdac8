import dnsPacket from "dns-packet";
import { describe, expect, it } from "vitest";
import { maxUdpAnswer, servfail, truncated } from "./dns-message.js";

const query = dnsPacket.encode({
  type: "query",
  id: 4242,
  flags: dnsPacket.RECURSION_DESIRED,
  questions: [{ type: "SRV", name: "_http._tcp.web.default.svc.cluster.local" }],
});

describe("DNS messages made by the sidecar", () => {
  it("SERVFAIL keeps the id and the question", () => {
    const answer = dnsPacket.decode(servfail(query) as Buffer);
    expect(answer).toMatchObject({ id: 4242, type: "response", rcode: "SERVFAIL", answers: [] });
    expect(answer.questions).toEqual([
      { type: "SRV", name: "_http._tcp.web.default.svc.cluster.local", class: "IN" },
    ]);
  });

  it("a truncated answer has TC set so the client retries over TCP", () => {
    const answer = dnsPacket.decode(truncated(query) as Buffer);
    expect(answer.flag_tc).toBe(true);
    expect(answer).toMatchObject({ rcode: "NOERROR" });
  });

  it("UDP answers may be as big as the client's EDNS size, else 512", () => {
    expect(maxUdpAnswer(query)).toBe(512);
    const edns = dnsPacket.encode({
      type: "query",
      id: 1,
      questions: [{ type: "A", name: "a.b" }],
      additionals: [{ type: "OPT", name: ".", udpPayloadSize: 1232 } as dnsPacket.Answer],
    });
    expect(maxUdpAnswer(edns)).toBe(1232);
  });
});
