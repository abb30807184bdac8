/** Whether a lease whose renewTime last changed at `lastChange` (warden's clock) has expired. */
export function leaseExpired(lastChange: number, durationSeconds: number, now: number): boolean {
  return now - lastChange > durationSeconds * 1000;
}
