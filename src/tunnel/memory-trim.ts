import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

/**
 * Give the C library's free memory back to the system once a burst of traffic is over. Bulk
 * transfers through the tunnel fill glibc's heap with buffers; once they are freed, glibc keeps
 * most of that memory (it returns only the top of its heap, and live allocations sit above the
 * freed ones), so a process that has carried a few hundred MiB (the sidecar, the CLI) stays 20 to
 * 30 MB larger than it needs.
 * `malloc_trim` returns every free page; it runs at the first quiet interval after at least
 * `burstBytes` have moved since the last trim, so a steady transfer is never trimmed under way.
 * With `settleMs`, the process's own start counts as such a burst (reading and compiling its code,
 * the session's start: 7 of the CLI's 41 MB of anonymous memory are free pages then): the first
 * quiet interval `settleMs` after this call trims too. Returns a function that stops it.
 */
export function trimAfterTraffic(
  moved: () => number,
  trim: () => void,
  options: { intervalMs?: number; burstBytes?: number; quietBytes?: number; settleMs?: number } = {},
): () => void {
  const {
    intervalMs = 250,
    burstBytes = 4 * 1024 * 1024,
    quietBytes = 64 * 1024,
    settleMs = Infinity,
  } = options;
  let last = moved();
  let sinceTrim = 0;
  // Counts down to the start's trim; Infinity once any trim ran.
  let untilSettled = settleMs;
  const timer = setInterval(() => {
    const now = moved();
    const recent = Math.max(0, now - last);
    last = now;
    sinceTrim += recent;
    untilSettled -= intervalMs;
    if ((untilSettled <= 0 || sinceTrim >= burstBytes) && recent <= quietBytes) {
      sinceTrim = 0;
      untilSettled = Infinity;
      trim();
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * glibc's `malloc_trim` for the CLI, after a garbage collection, through the agent's native addon
 * that ships beside the CLI's bundle (dist/agent/original-dst.node). It is a Node-API addon, so
 * one build loads in any Node version; undefined where it is missing or does not load (another
 * OS, architecture or C library): the C heap then keeps its free pages, which costs memory and
 * nothing else.
 */
export function loadMemoryTrim(
  addon: URL = new URL("../agent/original-dst.node", import.meta.url),
): (() => boolean) | undefined {
  if (process.platform !== "linux" || addon.protocol !== "file:") return undefined;
  try {
    // A missing file throws here as a foreign one does.
    const { trimMemory } = createRequire(import.meta.url)(fileURLToPath(addon)) as {
      trimMemory?: () => boolean;
    };
    if (typeof trimMemory !== "function") return undefined;
    return () => {
      // Buffers dropped in the burst give their memory back to the C heap only when V8 collects
      // them: a collection first (the launcher runs Node with --expose-gc) leaves the trim more.
      (globalThis as { gc?: () => void }).gc?.();
      return trimMemory();
    };
  } catch {
    return undefined;
  }
}
