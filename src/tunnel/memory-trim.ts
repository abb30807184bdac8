import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

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

let gc: (() => void) | undefined;

/**
 * A full garbage collection by V8, for the sidecar before its trim. Buffers dropped in a burst give
 * their memory back to the C heap only when V8 collects them: a collection before `malloc_trim`
 * leaves it more to return (a process that had moved 256 MiB over HTTP/2 kept 17 MB of anonymous
 * memory after a trim alone, 12 MB after both). The agent's entry can pass Node one flag only (its
 * first line), so `gc` is exposed at run time (see exposeGc). Not for the CLI: a flag set at run
 * time changes the flag hash its code cache is checked with, and its launcher passes --expose-gc.
 */
export function collectGarbage(): void {
  gc ??= exposeGc();
  gc();
}

/**
 * V8's `gc`: the global one where Node runs with --expose-gc, else the flag set now and `gc` taken
 * from a new context, which then has it (`evaluate` runs code there). Where that cannot be had, a
 * function that does nothing: the trim then returns less, and nothing else changes.
 */
export function exposeGc(evaluate: (code: string) => unknown = (code) => runInNewContext(code)): () => void {
  const exposed = (globalThis as { gc?: unknown }).gc;
  if (typeof exposed === "function") return exposed as () => void;
  try {
    setFlagsFromString("--expose-gc");
    const found = evaluate("gc");
    if (typeof found === "function") return found as () => void;
  } catch {
    // Not to be had in this Node.
  }
  return () => undefined;
}
