import { describe, expect, it } from "vitest";
import { shareOut } from "./first-copy.js";

describe("shareOut", () => {
  const listing = (path: string, entries: [string, [string, number, number, number]][]) =>
    [path, { kind: "listing", path, entries, bytes: 0, files: 0, unreadable: [] }] as const;
  const spec = (path: string) => ({
    spec: { path, name: path, readOnly: false, ownerOnly: false, bounded: false },
  });

  it("shares the top-level entries out by size, whole files for file volumes, without skipped paths", () => {
    const listings = new Map([
      listing("/data", [
        ["", ["dir", 0o755, 0, 0]],
        ["a", ["dir", 0o755, 0, 0]],
        ["a/big", ["file", 0o644, 9_000, 0]],
        ["b", ["dir", 0o755, 0, 0]],
        ["b/x", ["file", 0o644, 4_000, 0]],
        ["c", ["file", 0o644, 4_000, 0]],
        ["nested", ["dir", 0o755, 0, 0]],
      ]),
      listing("/etc/app.conf", [["", ["file", 0o644, 10, 0]]]),
    ]);
    const shares = shareOut(
      [spec("/data"), spec("/etc/app.conf")],
      listings as never,
      new Set(["/data/nested"]),
      2,
    );
    // a (about 10 kB) alone; b, c and the file (about 10 kB together) in the other.
    expect(shares).toEqual([["/data/a"], ["/data/b", "/data/c", "/etc/app.conf"]]);
    expect(
      shareOut([spec("/data")], listings as never, new Set(), 8)
        .flat()
        .sort(),
    ).toEqual(["/data/a", "/data/b", "/data/c", "/data/nested"]);
  });
});
