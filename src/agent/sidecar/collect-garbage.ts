import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let gc: (() => void) | undefined;

/**
 * A full garbage collection by V8, before the sidecar's trim (src/tunnel/memory-trim.ts). Buffers
 * dropped in a burst give their memory back to the C heap only when V8 collects them: a collection
 * before `malloc_trim` leaves it more to return (a process that had moved 256 MiB over HTTP/2 kept
 * 17 MB of anonymous memory after a trim alone, 12 MB after both). The agent's entry can pass Node
 * one flag only (its first line), so `gc` is exposed at run time (see exposeGc). Not for the CLI: a
 * flag set at run time changes the flag hash its code cache is checked with, and its launcher
 * passes --expose-gc (its trim calls that `gc`, see loadMemoryTrim).
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
