/**
 * The stages of a session, made observable for fault tests: with TP_TEST_PAUSE_AT=<stage>[,...]
 * tp prints `tp-test-stage: <stage>` on stderr when it reaches one of them and waits there until
 * it receives SIGUSR2 (or the wait is aborted), so that a test injects a fault at exactly that
 * stage. A SIGINT, SIGTERM or SIGHUP ends the wait too: the code goes on from the stage as it would
 * have had the signal come there with no wait (the signal's own handlers run as well). Without the
 * variable a stage costs nothing.
 */
export const Stages = {
  /** The swapped Deployment carries the session's annotations; nothing else exists yet. */
  annotated: "annotated",
  /** The proxy pod was created. */
  proxyCreated: "proxy-created",
  /** The proxy pod is Ready. */
  proxyReady: "proxy-ready",
  /** The session's local folders exist (its session and socket folders); its sidecar does not yet. */
  localFolders: "local-folders",
  /** The local sidecar reported ready. */
  sidecarUp: "sidecar-up",
  /** The first copy of the pod's volumes is under way (its folders exist). */
  volumeCopy: "volume-copy",
  /** The CLI's first copy of the volumes is written; the sidecar has not taken it over yet. */
  volumesCopied: "volumes-copied",
  /** The session is up (proxy, sidecar, tunnel, volumes); the user's program has not started. */
  sessionUp: "session-up",
  /** The user's container started. */
  userStarted: "user-started",
  /** The workload's traffic goes to the proxy alone (a swapped Deployment is at 0). */
  swapDone: "swap-done",
  /** Restoring: the Deployment's replicas are back, the proxy not yet gone. */
  restoring: "restoring",
  /** Ending the last intercept of a Service: its selector is back, its router not yet deleted. */
  interceptLeaving: "intercept-leaving",
  /** tp up: a plain service's `docker run` is under way. */
  serviceStarting: "service-starting",
} as const;

export type Stage = (typeof Stages)[keyof typeof Stages];

const paused = new Set((process.env["TP_TEST_PAUSE_AT"] ?? "").split(",").filter(Boolean));
// A test's SIGUSR2 that comes after a wait ended otherwise (aborted, a signal) must not end tp.
if (paused.size) process.on("SIGUSR2", () => undefined);

/** Reach a stage: announce it and wait there if a test asked to; resolves at once otherwise. */
export function reachStage(stage: Stage, signal?: AbortSignal): Promise<void> {
  if (!paused.has(stage)) return Promise.resolve();
  paused.delete(stage);
  return new Promise((resolve) => {
    const releasing = ["SIGUSR2", "SIGINT", "SIGTERM", "SIGHUP"] as const;
    const done = () => {
      for (const s of releasing) process.off(s, done);
      signal?.removeEventListener("abort", done);
      clearInterval(keepAlive);
      resolve();
    };
    // Nothing else may keep the process alive at this point.
    const keepAlive = setInterval(() => undefined, 1_000);
    for (const s of releasing) process.on(s, done);
    signal?.addEventListener("abort", done);
    process.stderr.write(`tp-test-stage: ${stage}\n`);
  });
}
