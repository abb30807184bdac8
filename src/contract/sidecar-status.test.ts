import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { emitStatus, parseStatusLine, readStatusLine, type SidecarStatus } from "./sidecar-status.js";

describe("the sidecar's status lines", () => {
  it.each<SidecarStatus>([
    { event: "ready", redirectPort: 15001, dns: "127.0.0.1:53" },
    { event: "tunnel-down", session: 2, reason: "pipe closed" },
    { event: "listen-error", port: 80, host: "0.0.0.0", code: "EACCES", message: "permission denied" },
    { event: "volumes-progress", bytes: 10, total: 20 },
    {
      event: "volumes-ready",
      volumes: [{ path: "/etc/config", bytes: 10, files: 1 }],
      skipped: [{ path: "/data", reason: "too-large", bytes: 1e9 }],
      unreadable: [],
      ms: 12,
    },
  ])("reads back what the sidecar writes: $event", (status) => {
    const out = new PassThrough();
    emitStatus(status, out);
    expect(parseStatusLine(String(out.read()))).toEqual(status);
  });

  it.each([
    ["plain text", "iptables-restore: done", "not JSON"],
    ["broken JSON", "{nope", "not JSON"],
    ["an unknown event", '{"event":"party"}', "event is not a known kind"],
    ["a field of the wrong type", '{"event":"tunnel-up","session":"one"}', "session must be a number"],
    ["a missing field", '{"event":"error"}', "message must be a string (it is missing)"],
    [
      "a value out of its set",
      '{"event":"volume-conflict","path":"/a","kept":"both"}',
      'kept must be "local" or "pod"',
    ],
  ])("skips %s, saying why", (_what, line, why) => {
    expect(parseStatusLine(line)).toBeUndefined();
    expect(readStatusLine(line)).toMatchObject({ refused: why });
  });
});
