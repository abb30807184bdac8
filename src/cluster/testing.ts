// Test support (no test of its own): watching a promise and waiting for a condition.

/** What became of `p`, as it happens: `error` once it rejects. */
export function settled(p: Promise<unknown>): { error?: Error } {
  const seen: { error?: Error } = {};
  p.catch((err: Error) => (seen.error = err));
  return seen;
}

/** Wait until `f` holds, looking every 5 ms, for 1 s at most. */
export async function until(f: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !f(); i++) await new Promise((r) => setTimeout(r, 5));
}
