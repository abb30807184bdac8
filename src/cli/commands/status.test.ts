import { describe, expect, it } from "vitest";
import { mergeSessions } from "./status.js";

describe("mergeSessions", () => {
  const container = { id: "c1", name: "tp-abc-sidecar", role: "sidecar", state: "running" };

  it("joins a session's cluster record and its local containers", () => {
    const [s] = mergeSessions(
      [
        {
          id: "abc",
          namespace: "shop",
          deployment: "web",
          kind: "swap",
          live: true,
          startedAt: "2026-01-01T00:00:00Z",
          objects: ["lease"],
        },
      ],
      [{ id: "abc", containers: [container], live: true, remote: "shop/web-tp-abc" }],
      Date.parse("2026-01-01T00:01:00Z"),
    );
    expect(s).toMatchObject({
      id: "abc",
      namespace: "shop",
      deployment: "web",
      state: "live",
      ageSeconds: 60,
    });
    expect(s!.containers).toEqual(["tp-abc-sidecar (running)"]);
  });

  it("names the namespace of a session whose cluster end was not listed, from its sidecar's label", () => {
    const [s] = mergeSessions(
      [],
      [{ id: "abc", containers: [container], live: true, remote: "shop/web-tp-abc" }],
    );
    expect(s).toMatchObject({ id: "abc", namespace: "shop", state: "live" });
    const [bare] = mergeSessions([], [{ id: "def", containers: [container], live: false }]);
    expect(bare).toMatchObject({ id: "def", state: "orphaned" });
    expect(bare!.namespace).toBeUndefined();
  });
});
