/**
 * Give the C library's free memory back to the system once a burst of traffic is over. Bulk
 * transfers through the tunnel fill glibc's heap with buffers; once they are freed, glibc keeps
 * most of that memory (it returns only the top of its heap, and live allocations sit above the
 * freed ones), so a sidecar that has moved a few hundred MiB stays some 20 MB larger than it needs.
 * `malloc_trim` returns every free page; it runs at the first quiet interval after at least
 * `burstBytes` have moved since the last trim, so a steady transfer is never trimmed under way.
 * Returns a function that stops it.
 */
export function trimAfterTraffic(
  moved: () => number,
  trim: () => void,
  options: { intervalMs?: number; burstBytes?: number; quietBytes?: number } = {},
): () => void {
  const { intervalMs = 250, burstBytes = 4 * 1024 * 1024, quietBytes = 64 * 1024 } = options;
  let last = moved();
  let sinceTrim = 0;
  const timer = setInterval(() => {
    const now = moved();
    const recent = Math.max(0, now - last);
    last = now;
    sinceTrim += recent;
    if (sinceTrim >= burstBytes && recent <= quietBytes) {
      sinceTrim = 0;
      trim();
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
