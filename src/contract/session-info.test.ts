import { describe, expect, it } from "vitest";
import { readSessionInfo, type SessionInfo } from "./session-info.js";

describe("the session-info annotation", () => {
  it("gives the kind and Deployment of a session", () => {
    const info: SessionInfo = { kind: "swap", deployment: "web", container: "app", namespace: "default" };
    expect(readSessionInfo(JSON.stringify(info))).toEqual({ kind: "swap", deployment: "web" });
  });

  it.each([
    ["absent", undefined],
    ["not JSON", "swap"],
    ["of another shape", '{"kind":7}'],
  ])("gives nothing when it is %s", (_what, text) => {
    expect(readSessionInfo(text)).toEqual({});
  });
});
