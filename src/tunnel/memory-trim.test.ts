import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { loadMemoryTrim, trimAfterTraffic } from "./memory-trim.js";

describe("trimAfterTraffic", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("trims once at the first quiet interval after a burst, never during one", () => {
    let bytes = 0;
    const trim = vi.fn();
    const stop = trimAfterTraffic(() => bytes, trim, {
      intervalMs: 100,
      burstBytes: 1000,
      quietBytes: 10,
      settleMs: 60_000,
    });
    for (let i = 0; i < 5; i++) {
      bytes += 500;
      vi.advanceTimersByTime(100);
    }
    expect(trim).not.toHaveBeenCalled();
    vi.advanceTimersByTime(100);
    expect(trim).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1000);
    expect(trim).toHaveBeenCalledTimes(1);
    stop();
  });

  it("trims once, at the first quiet interval, what the process's start left", () => {
    let bytes = 0;
    const trim = vi.fn();
    const options = { intervalMs: 100, burstBytes: 1000, quietBytes: 10, settleMs: 300 };
    const stop = trimAfterTraffic(() => bytes, trim, options);
    vi.advanceTimersByTime(200);
    expect(trim).not.toHaveBeenCalled();
    bytes += 100; // not quiet: waits
    vi.advanceTimersByTime(100);
    expect(trim).not.toHaveBeenCalled();
    vi.advanceTimersByTime(100);
    expect(trim).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(2000);
    expect(trim).toHaveBeenCalledTimes(1);
    stop();
  });

  it("does not trim after small traffic", () => {
    let bytes = 0;
    const trim = vi.fn();
    const stop = trimAfterTraffic(() => bytes, trim, {
      intervalMs: 100,
      burstBytes: 1000,
      quietBytes: 10,
      settleMs: 60_000,
    });
    bytes += 900;
    vi.advanceTimersByTime(1000);
    expect(trim).not.toHaveBeenCalled();
    bytes += 200;
    vi.advanceTimersByTime(200);
    expect(trim).toHaveBeenCalledTimes(1);
    stop();
  });
});

describe("loadMemoryTrim", () => {
  it("is undefined where the addon is missing", () => {
    expect(loadMemoryTrim(new URL("file:///nonexistent/original-dst.node"))).toBeUndefined();
  });

  it("is undefined where the file is not a loadable addon", () => {
    const folder = mkdtempSync(join(tmpdir(), "tp-addon-"));
    try {
      const junk = join(folder, "original-dst.node");
      writeFileSync(junk, "not an ELF object");
      expect(loadMemoryTrim(pathToFileURL(junk))).toBeUndefined();
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  const built = new URL("../../dist/agent/original-dst.node", import.meta.url);
  it.runIf(process.platform === "linux" && existsSync(built))(
    "calls malloc_trim through the built addon",
    () => {
      const trim = loadMemoryTrim(built);
      expect(trim).toBeTypeOf("function");
      expect(typeof trim?.()).toBe("boolean");
    },
  );
});
