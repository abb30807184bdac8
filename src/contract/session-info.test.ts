import { describe, expect, it } from "vitest";
import { readSessionInfo, type SessionInfo } from "./session-info.js";

describe("the session-info annotation", () => {
  it("gives the kind and Deployment of a session", () => {
    const info: SessionInfo = { kind: "swap", deployment: "web", container: "app", namespace: "default" };
    expect(readSessionInfo(JSON.stringify(info))).toEqual({ kind: "swap", deployment: "web" });
  });

  it("gives the swapped workload's resource, and leaves out one that does not parse", () => {
    const workload = {
      group: "apps",
      version: "v1",
      resource: "statefulsets",
      kind: "StatefulSet",
      name: "db",
    };
    const info: SessionInfo = { kind: "swap", deployment: "statefulset/db", namespace: "ns", workload };
    expect(readSessionInfo(JSON.stringify(info))).toEqual({
      kind: "swap",
      deployment: "statefulset/db",
      workload,
    });
    expect(readSessionInfo(JSON.stringify({ ...info, workload: { name: "db" } }))).toEqual({
      kind: "swap",
      deployment: "statefulset/db",
    });
  });

  it.each([
    ["absent", undefined],
    ["not JSON", "swap"],
    ["of another shape", '{"kind":7}'],
  ])("gives nothing when it is %s", (_what, text) => {
    expect(readSessionInfo(text)).toEqual({});
  });
});
