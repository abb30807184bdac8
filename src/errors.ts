/**
 * The typed error family of tp. An expected failure is a TpError: it prints a one-line message
 * and an optional hint. Anything else that reaches the top is a bug and is shown with its stack.
 */

/** Exit codes: the user container's own code when it ran, otherwise these. */
export const ExitCode = {
  /** tp itself failed (as Telepresence 1 did). */
  Failure: 255,
  /** Interrupted by SIGINT, after cleanup. */
  Interrupted: 130,
  /** Terminated by SIGTERM, after cleanup. */
  Terminated: 143,
  /** Bad command line. */
  Usage: 2,
} as const;

export type TpErrorCode =
  | "usage"
  | "not-found"
  | "conflict"
  | "cluster-unreachable"
  | "cluster-error"
  | "docker-unavailable"
  | "docker-error"
  | "image-missing"
  | "image-build"
  | "tool-missing"
  | "version-mismatch"
  | "timeout"
  | "tunnel"
  | "interrupted"
  | "cleanup-incomplete"
  | "config";

export interface TpErrorOptions {
  hint?: string;
  cause?: unknown;
  exitCode?: number;
}

export class TpError extends Error {
  readonly code: TpErrorCode;
  readonly hint: string | undefined;
  readonly exitCode: number;

  constructor(code: TpErrorCode, message: string, options: TpErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "TpError";
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? (code === "usage" ? ExitCode.Usage : ExitCode.Failure);
  }

  toJSON(): { error: { code: TpErrorCode; message: string; hint?: string } } {
    return {
      error: { code: this.code, message: this.message, ...(this.hint ? { hint: this.hint } : {}) },
    };
  }
}

export class UsageError extends TpError {
  constructor(message: string, options: TpErrorOptions = {}) {
    super("usage", message, options);
    this.name = "UsageError";
  }
}

export class NotFoundError extends TpError {
  constructor(message: string, options: TpErrorOptions = {}) {
    super("not-found", message, options);
    this.name = "NotFoundError";
  }
}

export class TimeoutError extends TpError {
  constructor(message: string, options: TpErrorOptions = {}) {
    super("timeout", message, options);
    this.name = "TimeoutError";
  }
}

export function isTpError(err: unknown): err is TpError {
  return err instanceof TpError;
}

/** What the user sees for an error: one line (plus hint) when expected, the stack when a bug. */
export function formatError(err: unknown): string {
  if (isTpError(err)) {
    return `tp: ${err.message}` + (err.hint ? `\n  hint: ${err.hint}` : "");
  }
  const stack = err instanceof Error ? (err.stack ?? String(err)) : String(err);
  return `tp: unexpected error (this is a bug in tp, please report it):\n${stack}`;
}
