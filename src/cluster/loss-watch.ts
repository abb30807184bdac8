/** A part of the session looked at now and then, until it is gone for good (see watchForLoss). */
export interface LossWatch {
  /** Rejects, naming what happened, once the part is gone for good; never resolves. */
  lost: Promise<never>;
  /**
   * Look now, without waiting for the next look: the reason once the part is gone (found by this
   * look or an earlier one; `lost` has rejected then), undefined while it is there, cannot be
   * asked about, or once the watch was stopped.
   */
  checkNow(): Promise<string | undefined>;
  /** Stop looking (the session ends, or deletes the part itself): `lost` then never settles. */
  stop(): void;
}

/**
 * Ask `why` every `everyMs` (first after `firstAfter`, at once if absent) and reject `lost` with
 * `toError(reason)` on its first reason. `why` gives undefined while the part is there and when
 * the cluster does not answer: an unreachable cluster is no loss (the session's lease covers it).
 */
export function watchForLoss(
  why: () => Promise<string | undefined>,
  toError: (reason: string) => Error,
  everyMs: number,
  firstAfter?: Promise<unknown>,
): LossWatch {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let fail: (err: Error) => void = () => undefined;
  const lost = new Promise<never>((_, reject) => (fail = reject));
  lost.catch(() => undefined);
  // The first reason found, by whichever look: every later look gives it too.
  let found: string | undefined;
  const checkNow = async (): Promise<string | undefined> => {
    if (stopped) return found;
    const reason = await why();
    if (stopped || !reason) return found;
    stopped = true;
    found = reason;
    clearTimeout(timer);
    fail(toError(reason));
    return reason;
  };
  const next = () => {
    if (stopped) return;
    timer = setTimeout(() => void checkNow().then(next), everyMs);
    timer.unref();
  };
  if (firstAfter) firstAfter.then(next, () => undefined);
  else next();
  return {
    lost,
    checkNow,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
