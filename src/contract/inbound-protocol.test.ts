import { describe, expect, it } from "vitest";
import { parseMessage, readJsonLine } from "./message.js";
import { inboundEvent, inboundRequest } from "./inbound-protocol.js";

describe("the inbound protocol's messages", () => {
  it("reads the request line, an absent list meaning no listeners", () => {
    const request = { listen: [{ port: 8080, host: "0.0.0.0" }] };
    expect(parseMessage(inboundRequest, request, "request")).toEqual(request);
    expect(parseMessage(inboundRequest, {}, "request")).toEqual({ listen: [] });
  });

  it.each([
    [{ listen: [{ port: 0, host: "0.0.0.0" }] }, "listen[0].port must be at least 1"],
    [{ listen: [{ port: 80.5, host: "0.0.0.0" }] }, "listen[0].port must be an integer"],
    [{ listen: [{ port: 80 }] }, "listen[0].host must be a string (it is missing)"],
  ])("refuses the request %j", (value, message) => {
    expect(() => parseMessage(inboundRequest, value, "request")).toThrow(`request: ${message}`);
  });

  it("reads each event and skips a line that is not one", () => {
    for (const event of [
      { event: "listening", port: 80, host: "0.0.0.0" },
      { event: "listen-error", port: 80, host: "0.0.0.0", code: "EACCES", message: "no" },
      { event: "accept", id: "7", port: 80, host: "0.0.0.0" },
    ])
      expect(readJsonLine(inboundEvent, JSON.stringify(event))).toEqual({ message: event });
    expect(readJsonLine(inboundEvent, '{"event":"accept","port":80,"host":"0.0.0.0"}')).toEqual({
      refused: "id must be a string (it is missing)",
    });
  });
});
