import { describe, expect, it } from "vitest";
import { parseMessage, readJsonLine } from "./message.js";
import { listResult, putResult, snapshotRequest, watchMessage, watchRequest } from "./volume-protocol.js";

describe("the volume protocol's messages", () => {
  it("reads each kind of watch line", () => {
    const lines = [
      {
        kind: "listing",
        path: "/etc/config",
        entries: [
          ["", ["dir", 0o755, 0, 1]],
          ["link", ["symlink", 0o777, 4, 2, "a"]],
        ],
        bytes: 4,
        files: 1,
        unreadable: [],
      },
      { kind: "listing", path: "/data", bytes: 9e9, files: 0, skipped: "too-large", unreadable: [] },
      {
        kind: "changes",
        path: "/etc/config",
        changes: [
          ["a", ["file", 0o644, 3, 5]],
          ["b", null],
        ],
      },
      { kind: "error", path: "/data", message: "EACCES" },
    ];
    for (const line of lines)
      expect(readJsonLine(watchMessage, JSON.stringify(line))).toEqual({ message: line });
  });

  it.each([
    ["not JSON", "{", "not JSON"],
    ["an unknown kind", '{"kind":"snapshot","path":"/a"}', "kind is not a known kind"],
    [
      "an entry of an unknown type",
      '{"kind":"changes","path":"/a","changes":[["x",["fifo",0,0,0]]]}',
      'changes[0][1][0] must be "file" or "dir" or "symlink"',
    ],
    [
      "a listing without its counts",
      '{"kind":"listing","path":"/a","unreadable":[]}',
      "bytes must be a number (it is missing)",
    ],
  ])("skips a watch line that is %s, saying why", (_what, line, why) => {
    expect(readJsonLine(watchMessage, line)).toMatchObject({ refused: why });
  });

  it("reads the requests and answers of the routes", () => {
    const watch = { volumes: [{ path: "/etc/config", exclude: ["nested"] }], limitBytes: 10, rescanMs: 50 };
    expect(parseMessage(watchRequest, watch, "watch")).toEqual(watch);
    const snapshot = { paths: ["/etc/config"], skip: [] };
    expect(parseMessage(snapshotRequest, snapshot, "snapshot")).toEqual(snapshot);
    const put = {
      entries: [
        ["/etc/config/a", ["file", 0o644, 1, 2]],
        ["/etc/config/b", null],
      ],
    };
    expect(parseMessage(putResult, put, "put")).toEqual(put);
  });

  it.each([
    [
      watchRequest,
      { volumes: [{ path: "/a" }], limitBytes: 1 },
      "volumes[0].exclude must be an array (it is missing)",
    ],
    [snapshotRequest, { paths: "/a", skip: [] }, "paths must be an array"],
    [listResult, { listing: [] }, "listings must be an array (it is missing)"],
    [putResult, { entries: [["/a"]] }, "entries[0] must have at least 2 items"],
  ])("refuses a message that does not fit: %#", (schema, value, message) => {
    expect(() => parseMessage(schema, value, "the message", "tunnel")).toThrow(`the message: ${message}`);
  });
});
