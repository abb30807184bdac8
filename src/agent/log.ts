/** Agent diagnostics: plain lines on stderr (stdout is for data and status lines). */
export function log(message: string): void {
  process.stderr.write(`${new Date().toISOString()} tp-agent: ${message}\n`);
}

/**
 * A long-running role keeps serving after an unexpected error in one connection: the sidecar
 * holds the user container's network namespace, so dying would cut it off. The error is logged.
 */
export function surviveUnexpectedErrors(): void {
  process.on("uncaughtException", (err) =>
    log(`unexpected error (kept running): ${err.stack ?? String(err)}`),
  );
  process.on("unhandledRejection", (err) => log(`unexpected rejection (kept running): ${String(err)}`));
}
