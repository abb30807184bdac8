/**
 * Where a session (or a project of sessions) tells the user what it does. The CLI's Progress
 * implements it: a spinner, plain lines, JSON lines or nothing.
 */
export interface Reporter {
  /** A detail for --verbose. */
  debug(text: string): void;
  /** Start a slow step; call the returned function when it is done (optionally with a new text). */
  step(text: string): (done?: string) => void;
  /** A line that says what happened. */
  info(text: string): void;
  /** A warning is shown even with --quiet. */
  warn(text: string): void;
  /**
   * The terminal now belongs to the user's program (a container with -t, an interactive shell):
   * no progress is drawn over it from now on (warnings still are).
   */
  handOver?(): void;
}
